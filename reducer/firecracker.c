#include "firecracker.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Firecracker's MAX_SUPPORTED_VCPUS (src/vmm/src/vmm_config/machine_config.rs). */
#define MAX_VCPUS 32

static int check_path(const char *what, const char *path, struct strbuf *err)
{
	if (!path || !*path) {
		sb_addf(err, "Firecracker config: no %s path", what);
		return -1;
	}
	if (path[0] == '/') {
		sb_addf(err, "Firecracker config: %s path %s is absolute; it must be relative "
			"to the run directory, which is renamed and copied", what, path);
		return -1;
	}
	return 0;
}

/* Firecracker's MacAddr::from_str: six pairs of hex digits, colons between. */
static int valid_mac(const char *s)
{
	for (int i = 0; i < 6; i++, s += 3)
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) ||
		    s[2] != (i < 5 ? ':' : '\0'))
			return 0;
	return 1;
}

/* JSON strings are UTF-8, so jansson refuses any other bytes; checked one
 * field at a time so that the error can say which. */
static int utf8(const char *what, const char *s, struct strbuf *err)
{
	json_t *j = s ? json_string(s) : NULL;
	if (s && !j) {
		sb_addf(err, "Firecracker config: %s: not UTF-8", what);
		return -1;
	}
	json_decref(j);
	return 0;
}

/* What Firecracker would refuse at start, refused here, before the file
 * is written and a boot is spent on it. */
static int check(const struct firecracker_vm *vm, struct strbuf *err)
{
	if (check_path("kernel", vm->kernel, err) < 0 || check_path("initrd", vm->initrd, err) < 0)
		return -1;
	if (vm->mem_size_mib <= 0) {
		sb_addf(err, "Firecracker config: mem_size_mib must be at least 1, not %d", vm->mem_size_mib);
		return -1;
	}
	if (vm->vcpu_count < 1 || vm->vcpu_count > MAX_VCPUS) {
		sb_addf(err, "Firecracker config: vcpu_count must be 1 to %d, not %d", MAX_VCPUS,
			vm->vcpu_count);
		return -1;
	}
	if (vm->host_dev_name && !*vm->host_dev_name) {
		sb_addf(err, "Firecracker config: empty tap device name");
		return -1;
	}
	if (vm->guest_mac && !vm->host_dev_name) {
		sb_addf(err, "Firecracker config: guest MAC address %s without a tap device", vm->guest_mac);
		return -1;
	}
	if (vm->guest_mac && !valid_mac(vm->guest_mac)) {
		sb_addf(err, "Firecracker config: guest MAC address '%s' is not six hex pairs "
			"with colons, as 06:00:c0:a8:00:02", vm->guest_mac);
		return -1;
	}
	return utf8("kernel path", vm->kernel, err) || utf8("initrd path", vm->initrd, err) ||
	       utf8("boot arguments", vm->boot_args, err) ||
	       utf8("tap device name", vm->host_dev_name, err) ? -1 : 0;
}

int firecracker_json(const struct firecracker_vm *vm, struct strbuf *out, struct strbuf *err)
{
	if (check(vm, err) < 0)
		return -1;
	/* "drives" is written though empty: Firecracker's VmmConfig has no
	 * serde default for it, so a file without it fails to parse. No
	 * drive is the root: the initramfs is (docs/initrd.md). SMT off,
	 * said rather than left to the default, because Firecracker refuses
	 * it on aarch64 and with an odd vCPU count above 1. "s*" leaves out
	 * a key whose value is NULL. */
	json_error_t je = { .text = "out of memory" };
	json_t *doc = json_pack_ex(&je, 0, "{s:{s:s, s:s, s:s*}, s:[], s:{s:i, s:i, s:b}, s:[]}",
				   "boot-source", "kernel_image_path", vm->kernel,
				   "initrd_path", vm->initrd, "boot_args", vm->boot_args,
				   "drives",
				   "machine-config", "vcpu_count", vm->vcpu_count,
				   "mem_size_mib", vm->mem_size_mib, "smt", 0,
				   "network-interfaces");
	if (doc && vm->host_dev_name) {
		json_t *iface = json_pack_ex(&je, 0, "{s:s, s:s, s:s*}", "iface_id", "eth0",
					     "host_dev_name", vm->host_dev_name,
					     "guest_mac", vm->guest_mac);
		if (!iface || json_array_append_new(json_object_get(doc, "network-interfaces"), iface) < 0) {
			json_decref(doc);
			doc = NULL;
		}
	}
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!text) {
		sb_addf(err, "Firecracker config: cannot make the JSON (%s)", je.text);
		return -1;
	}
	sb_adds(out, text);
	sb_adds(out, "\n");
	free(text);
	return 0;
}

int firecracker_write(const struct firecracker_vm *vm, const char *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int ret = firecracker_json(vm, &text, err);
	if (!ret && write_file_atomic(path, text.buf, text.len) < 0) {
		int e = errno;
		if (e == ENOSPC || e == EDQUOT || disk_full(path))
			sb_addf(err, "no space left on %s while writing %s", mount_of(path), path);
		else
			sb_addf(err, "cannot write %s: %s", path, strerror(e));
		ret = -1;
	}
	sb_release(&text);
	return ret;
}
