/* SPDX-License-Identifier: MIT */
/*
 * The shared objects only networking needs, libmnl and libnftables, are
 * loaded on first use.  Linked in, the dynamic loader would map and
 * relocate them at every husk call: libmnl alone costs each process about
 * 0.3 ms on a virtualised host, and libnftables (with libnftnl,
 * libxtables and libgmp behind it) far more.
 */
#include <dlfcn.h>
#include <errno.h>

#include "internal.h"

int net_dl_load(const char *soname, const struct net_dl_sym *syms, size_t n,
		struct husk_err *err)
{
	void *lib;

	/* Filled in order, all or none: the last slot says it is done. */
	if (n == 0 || *syms[n - 1].slot)
		return 0;
	lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return husk_fail(err, ENOENT, "load %s: %s", soname, dlerror());
	for (size_t i = 0; i < n; i++) {
		/* POSIX: a function pointer may be copied out of dlsym's void *. */
		*syms[i].slot = dlsym(lib, syms[i].name);
		if (!*syms[i].slot) {
			for (size_t j = 0; j < i; j++)
				*syms[j].slot = NULL;
			dlclose(lib);
			return husk_fail(err, ENOENT, "%s: no symbol %s", soname,
					 syms[i].name);
		}
	}
	return 0;
}
