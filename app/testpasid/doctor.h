/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-testpasid doctor: what this host offers PASID workers. The probes
 * (doctor_probe.c: kernel, iommufd, vfio functions, pasidnic ports;
 * doctor_host.c: hugepages, locked memory, capabilities) add findings to a
 * report; doctor.c decides what the host can run and prints it, as text or
 * JSON. Runs without EAL.
 */
#ifndef TESTPASID_DOCTOR_H
#define TESTPASID_DOCTOR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

enum doc_status {
	DOC_OK,   /* as it should be */
	DOC_INFO, /* for the reader, no judgement */
	DOC_WARN, /* limits what the host can run, or is unsafe */
	DOC_FAIL, /* PASID workers cannot run until it is fixed */
};

struct doc_finding {
	const char *check;  /* "kernel", "iommufd", "function", "hugepages"... */
	enum doc_status status;
	char what[512];
	char fix[320];      /* "" when nothing is to be done */
};

/* A device the doctor tried (a vfio-pci function or a pasidnic port). */
struct doc_device {
	char name[64];      /* bus name: pci-<BDF> or mdev-<UUID> */
	bool emulated;
	bool usable;        /* bound and its RID attached */
	bool busy;          /* in use by another process: not tried */
	bool pasid;         /* a PASID domain was created on it */
	bool pasid_attach;  /* the kernel attached PASIDs through its vfio driver */
	unsigned int pasid_log2;
	const char *iommu;  /* "intel-vtd"..., "" when unknown */
};

struct doc_hugepages {
	int node;           /* -1: the system without NUMA nodes */
	unsigned long size_kb;
	unsigned long total;
	unsigned long free;
};

#define DOC_MAX_FINDINGS 96
#define DOC_MAX_DEVICES 32
#define DOC_MAX_HUGEPAGES 16

struct doc_report {
	struct doc_finding f[DOC_MAX_FINDINGS];
	unsigned int nb_f;
	struct doc_device dev[DOC_MAX_DEVICES];
	unsigned int nb_dev;
	struct doc_hugepages hp[DOC_MAX_HUGEPAGES];
	unsigned int nb_hp;
	char kernel[128];        /* uname release */
	bool iommufd;            /* /dev/iommu is usable */
	bool iommu;              /* an IOMMU is registered (/sys/class/iommu) */
	bool pasidnic;           /* the pasidnic module is loaded */
	bool hugepages;          /* free hugepages somewhere */
	bool memlock;            /* enough locked memory for a worker */
	uint64_t hugepage_bytes; /* reserved hugepage memory, all sizes */
};

/* Add a finding; @fix may be NULL. The finding, or NULL when the report is full. */
struct doc_finding *doc_add(struct doc_report *r, const char *check, enum doc_status st,
			    const char *fix, const char *fmt, ...) __rte_format_printf(5, 6);

/* doctor_probe.c */
/* Kernel release, /dev/iommu and its uAPIs, vfio cdevs, unsafe interrupts. */
void doc_probe_kernel(struct doc_report *r);
/* The IOMMUs and every function bound to vfio-pci, each tried with the bus. */
void doc_probe_functions(struct doc_report *r);
/* The pasidnic module and its ports, each tried with the bus. */
void doc_probe_pasidnic(struct doc_report *r);

/* doctor_host.c */
/* Hugepages reserved and free per NUMA node and size, hugetlbfs mounts. */
void doc_probe_hugepages(struct doc_report *r);
/* RLIMIT_MEMLOCK and the capabilities that matter. */
void doc_probe_limits(struct doc_report *r);

#endif /* TESTPASID_DOCTOR_H */
