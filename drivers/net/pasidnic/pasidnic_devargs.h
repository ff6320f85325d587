/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pasidnic devargs: the keys of the driver layer (doc/pmd_pasidnic.md),
 * parsed from a string with no device and no EAL (host tests and fuzzers
 * link pasidnic_devargs.c alone).
 */
#ifndef PASIDNIC_DEVARGS_H
#define PASIDNIC_DEVARGS_H

#include <stddef.h>
#include <stdint.h>

/* Keys, for messages and RTE_PMD_REGISTER_PARAM_STRING. */
#define PNIC_ARG_BACKEND "backend"

/* Devargs of the driver layer. */
struct pnic_args {
	uint32_t backend;              /* PNIC_BACKEND_* */
};

/*
 * Defaults, then the keys of @str ("key=value,..."; NULL or "" gives the
 * defaults). Known keys: backend=loopback|netdev (at most once) and the
 * driver=<name> key of the layered devargs form.
 * Returns 0 (@err untouched), or -EINVAL with @err (@errlen bytes) saying
 * which key is wrong and what it takes; @args is then left with the defaults.
 */
int pnic_devargs_parse(const char *str, struct pnic_args *args, char *err, size_t errlen);

struct rte_devargs;

/*
 * The driver's keys of a device's devargs: those of the driver layer
 * (da->drv_str) of the layered form; the defaults for the legacy form
 * "iommufd:<name>,..." (whose keys are all the bus's) or no devargs.
 * Returns as pnic_devargs_parse().
 */
int pnic_devargs_of(const struct rte_devargs *da, struct pnic_args *args, char *err,
		    size_t errlen);

#endif /* PASIDNIC_DEVARGS_H */
