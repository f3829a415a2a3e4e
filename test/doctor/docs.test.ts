import { expect, it } from 'vitest';
import { DOCTOR_DOC_PATH, renderDoctorDocs } from '../../src/doctor/docs.ts';

// docs/doctor.md is generated: a changed policy or check must come with the regenerated file
// (`npx vitest run --project unit test/doctor/docs.test.ts -u`).
it(`${DOCTOR_DOC_PATH} is up to date`, async () => {
  await expect(renderDoctorDocs()).toMatchFileSnapshot(`../../${DOCTOR_DOC_PATH}`);
});
