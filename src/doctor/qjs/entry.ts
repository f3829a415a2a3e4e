// The doctor's entry under capsem-doctor-rt (QuickJS): Node's globals first, then the doctor itself.
import './process.ts';
import '../entry.ts';
