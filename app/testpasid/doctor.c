/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-testpasid doctor [--json] [--verbose]: can this host run PASID
 * workers? Runs the probes (doctor_probe.c, doctor_host.c) without EAL, so
 * that it also explains a host where EAL cannot start (no hugepages), then
 * says what the host can run -- emulated ports (pasidnic, no IOMMU needed),
 * physical functions by RID, physical functions with PASID domains -- and
 * prints each finding with its fix. Exit status 0 only when PASID workers
 * can run: /dev/iommu, a device on which a PASID domain was created, free
 * hugepages and enough locked memory. Design: doc/host.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "doctor.h"
#include "testpasid.h"

static const char *const status_name[] = { "ok", "info", "warn", "fail" };

struct doc_finding *
doc_add(struct doc_report *r, const char *check, enum doc_status st, const char *fix,
	const char *fmt, ...)
{
	struct doc_finding *f;
	va_list ap;

	if (r->nb_f == DOC_MAX_FINDINGS)
		return NULL;
	f = &r->f[r->nb_f++];
	f->check = check;
	f->status = st;
	va_start(ap, fmt);
	vsnprintf(f->what, sizeof(f->what), fmt, ap);
	va_end(ap);
	snprintf(f->fix, sizeof(f->fix), "%s", fix != NULL ? fix : "");
	return f;
}

/* What the host can run, from the findings. */
struct doc_verdict {
	const char *emulated;    /* a port with PASID domains, or NULL */
	const char *rid;         /* a physical function bound by RID, or NULL */
	const char *pasid;       /* a physical function with PASID domains, or NULL */
	bool workers;
};

/* The kernel's PASID attach through vfio, as the devices that have PASIDs found. */
static void
pasid_attach_finding(struct doc_report *r)
{
	const struct doc_device *yes = NULL, *no = NULL;
	unsigned int i;

	for (i = 0; i < r->nb_dev; i++) {
		const struct doc_device *d = &r->dev[i];

		if (!d->usable || d->pasid_log2 == 0)
			continue;
		if (d->pasid_attach && yes == NULL)
			yes = d;
		else if (!d->pasid_attach && no == NULL)
			no = d;
	}
	if (yes != NULL)
		doc_add(r, "pasid_attach", DOC_OK, NULL, "the kernel attaches PASIDs through "
			"vfio (VFIO_DEVICE_ATTACH_PASID, probed on %s)", yes->name);
	else if (no != NULL)
		doc_add(r, "pasid_attach", DOC_WARN, "Linux 6.15+ (or a backport of "
			"VFIO_DEVICE_ATTACH_PASID)", "the kernel cannot attach PASIDs through vfio "
			"(probed on %s)", no->name);
	else
		doc_add(r, "pasid_attach", DOC_INFO, NULL, "PASID attach through vfio not probed: "
			"no usable device with a PASID width");
}

static void
decide(struct doc_report *r, struct doc_verdict *v)
{
	unsigned int i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < r->nb_dev; i++) {
		const struct doc_device *d = &r->dev[i];

		if (d->emulated && d->pasid && v->emulated == NULL)
			v->emulated = d->name;
		if (!d->emulated && d->usable && v->rid == NULL)
			v->rid = d->name;
		if (!d->emulated && d->pasid && v->pasid == NULL)
			v->pasid = d->name;
	}
	v->workers = r->iommufd && (v->emulated != NULL || v->pasid != NULL) && r->hugepages &&
		     r->memlock;
	if (r->iommufd && v->emulated == NULL && v->pasid == NULL)
		doc_add(r, "pasid_device", DOC_FAIL, "create a pasidnic port (dpdk-pasid-setup "
			"port add q4), or bind a PASID-capable function to vfio-pci "
			"(dpdk-pasid-setup bind <BDF>) behind an IOMMU in scalable mode",
			"no device on which a PASID domain could be created");
}

static void
print_text(const struct doc_report *r, const struct doc_verdict *v)
{
	unsigned int i;

	printf("dpdk-testpasid doctor: Linux %s\n", r->kernel);
	for (i = 0; i < r->nb_f; i++) {
		const struct doc_finding *f = &r->f[i];
		char tag[8];

		snprintf(tag, sizeof(tag), "%s", status_name[f->status]);
		for (char *c = tag; *c; c++)
			*c = (char)(*c - 'a' + 'A');
		printf("%-4s  %-17s %s\n", tag, f->check, f->what);
		if (f->fix[0] != '\0')
			printf("      %-17s fix: %s\n", "", f->fix);
	}
	printf("\nthis host can run:\n");
	printf("  emulated ports (pasidnic, no IOMMU needed): %s%s\n", v->emulated ? "yes, " :
	       "no", v->emulated ? v->emulated : "");
	printf("  physical functions by RID:                  %s%s\n", v->rid ? "yes, " : "no",
	       v->rid ? v->rid : "");
	printf("  physical functions with PASID domains:      %s%s\n", v->pasid ? "yes, " :
	       "no", v->pasid ? v->pasid : "");
	if (v->workers) {
		printf("PASID workers: can run\n");
		return;
	}
	printf("PASID workers: cannot run; fix each FAIL above:");
	for (i = 0; i < r->nb_f; i++)
		if (r->f[i].status == DOC_FAIL)
			printf(" %s", r->f[i].check);
	printf("\n");
}

static const char *
jbool(bool b)
{
	return b ? "true" : "false";
}

static void
print_json(const struct doc_report *r, const struct doc_verdict *v)
{
	unsigned int i;

	printf("{\"kernel\": ");
	json_str(r->kernel);
	printf(",\n \"findings\": [");
	for (i = 0; i < r->nb_f; i++) {
		printf("%s\n  {\"check\": \"%s\", \"status\": \"%s\", \"what\": ", i ? "," : "",
		       r->f[i].check, status_name[r->f[i].status]);
		json_str(r->f[i].what);
		printf(", \"fix\": ");
		json_str(r->f[i].fix);
		printf("}");
	}
	printf("],\n \"devices\": [");
	for (i = 0; i < r->nb_dev; i++) {
		const struct doc_device *d = &r->dev[i];

		printf("%s\n  {\"name\": \"%s\", \"emulated\": %s, \"usable\": %s, \"busy\": %s, "
		       "\"pasid_domains\": %s, \"pasid_width\": %u, \"iommu\": \"%s\"}",
		       i ? "," : "", d->name, jbool(d->emulated), jbool(d->usable),
		       jbool(d->busy), jbool(d->pasid), d->pasid_log2, d->iommu);
	}
	printf("],\n \"hugepages\": [");
	for (i = 0; i < r->nb_hp; i++)
		printf("%s\n  {\"node\": %d, \"size_kb\": %lu, \"reserved\": %lu, \"free\": %lu}",
		       i ? "," : "", r->hp[i].node, r->hp[i].size_kb, r->hp[i].total,
		       r->hp[i].free);
	printf("],\n \"can_run\": {\"emulated\": %s, \"physical_rid\": %s, "
	       "\"physical_pasid\": %s},\n \"pasid_workers\": %s}\n", jbool(v->emulated != NULL),
	       jbool(v->rid != NULL), jbool(v->pasid != NULL), jbool(v->workers));
}

int
testpasid_doctor(int argc, char **argv)
{
	bool json = false, verbose = false;
	struct doc_verdict v;
	struct doc_report *r;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else {
			fprintf(stderr, "doctor: unknown argument '%s'\nusage: dpdk-testpasid "
				"doctor [--json] [--verbose]\n", argv[i]);
			return 2;
		}
	}
	/* The findings say it all; the bus's own messages with --verbose. */
	rte_log_set_level_pattern("bus.iommufd*", verbose ? RTE_LOG_DEBUG : RTE_LOG_EMERG);
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		fprintf(stderr, "doctor: out of memory\n");
		return 1;
	}
	doc_probe_kernel(r);
	doc_probe_functions(r);
	doc_probe_pasidnic(r);
	if (r->iommufd)
		pasid_attach_finding(r);
	doc_probe_hugepages(r);
	doc_probe_limits(r);
	decide(r, &v);
	if (json)
		print_json(r, &v);
	else
		print_text(r, &v);
	i = v.workers ? 0 : 1;
	free(r);
	return i;
}
