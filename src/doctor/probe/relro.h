/*
 * protect_relro(): what glibc's static start code does and musl's does not. The
 * linker groups what must not change after start-up (.init_array, .fini_array,
 * the GOT, .data.rel.ro) into the PT_GNU_RELRO segment; a dynamic loader, or
 * glibc's static start, makes its whole pages read-only before main. Static
 * against musl nothing does, so capsem-probe and capsem-doctor-rt call this
 * first thing in main. Exits 70 if the kernel refuses (that is a broken guest).
 */
#ifndef CAPSEM_RELRO_H
#define CAPSEM_RELRO_H
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

static void protect_relro(void)
{
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	size_t n = getauxval(AT_PHNUM), page = getauxval(AT_PAGESZ);
	uintptr_t base = 0; /* a non-PIE executable's addresses are its own; a PIE names its load bias through PT_PHDR */
	for (size_t i = 0; i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			base = (uintptr_t)ph - ph[i].p_vaddr;
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_type != PT_GNU_RELRO)
			continue;
		/* Whole pages only, as glibc's _dl_protect_relro: the linker ends the segment on a page boundary. */
		uintptr_t start = (base + ph[i].p_vaddr) & ~(uintptr_t)(page - 1);
		uintptr_t end = (base + ph[i].p_vaddr + ph[i].p_memsz) & ~(uintptr_t)(page - 1);
		if (end > start && mprotect((void *)start, end - start, PROT_READ) < 0) {
			perror("mprotect(PT_GNU_RELRO)");
			_exit(70);
		}
	}
}
#endif
