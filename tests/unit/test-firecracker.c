/* The Firecracker config file has the keys and types Firecracker's API
 * description gives them, and what Firecracker would refuse is refused
 * before any file is written. */
#include "firecracker.h"
#include "unit.h"

#include <dirent.h>
#include <jansson.h>
#include <string.h>

/* Transcribed from Firecracker v1.16.1 (commit 2038188f145f), its
 * src/firecracker/swagger/firecracker.yaml: the definitions BootSource,
 * MachineConfiguration, NetworkInterface, Drive and, for the file's
 * top-level keys, FullVmConfiguration (docs/getting-started.md: the
 * config file uses the API's resource and field names). The swagger file
 * marks nothing required at the top; src/vmm/src/resources.rs's VmmConfig
 * does, by giving boot_source and drives neither Option nor a serde
 * default. The same definitions at 81b38b9dad60 (1.17.0-dev) differ only
 * in huge_pages' values. Firecracker parses the four objects with
 * deny_unknown_fields, so a key not listed here fails the boot. */
enum jtype { T_STRING, T_INTEGER, T_BOOLEAN, T_ARRAY, T_OBJECT };
struct field {
	const char *name;
	enum jtype type;
	int required;
};
#define END { NULL, 0, 0 }

static const struct field boot_source[] = {
	{ "kernel_image_path", T_STRING, 1 },
	{ "initrd_path", T_STRING, 0 },
	{ "boot_args", T_STRING, 0 },
	END
};
static const struct field machine_configuration[] = {
	{ "vcpu_count", T_INTEGER, 1 },         /* minimum 1, maximum 32 */
	{ "mem_size_mib", T_INTEGER, 1 },
	{ "smt", T_BOOLEAN, 0 },
	{ "track_dirty_pages", T_BOOLEAN, 0 },
	{ "cpu_template", T_STRING, 0 },        /* CpuTemplate: an enum of strings */
	{ "huge_pages", T_STRING, 0 },
	END
};
static const struct field network_interface[] = {
	{ "iface_id", T_STRING, 1 },
	{ "host_dev_name", T_STRING, 1 },
	{ "guest_mac", T_STRING, 0 },
	{ "mtu", T_INTEGER, 0 },
	{ "rx_rate_limiter", T_OBJECT, 0 },
	{ "tx_rate_limiter", T_OBJECT, 0 },
	END
};
static const struct field drive[] = {
	{ "drive_id", T_STRING, 1 },
	{ "is_root_device", T_BOOLEAN, 1 },
	{ "partuuid", T_STRING, 0 },
	{ "cache_type", T_STRING, 0 },
	{ "is_read_only", T_BOOLEAN, 0 },
	{ "path_on_host", T_STRING, 0 },
	{ "rate_limiter", T_OBJECT, 0 },
	{ "io_engine", T_STRING, 0 },
	{ "socket", T_STRING, 0 },
	END
};
static const struct field full_vm_configuration[] = {
	{ "balloon", T_OBJECT, 0 },
	{ "drives", T_ARRAY, 1 },
	{ "boot-source", T_OBJECT, 1 },
	{ "cpu-config", T_OBJECT, 0 },
	{ "logger", T_OBJECT, 0 },
	{ "machine-config", T_OBJECT, 0 },
	{ "metrics", T_OBJECT, 0 },
	{ "memory-hotplug", T_OBJECT, 0 },
	{ "mmds-config", T_OBJECT, 0 },
	{ "network-interfaces", T_ARRAY, 0 },
	{ "pmem", T_ARRAY, 0 },
	{ "vsock", T_OBJECT, 0 },
	{ "entropy", T_OBJECT, 0 },
	END
};

static int has_type(json_t *v, enum jtype t)
{
	switch (t) {
	case T_STRING: return json_is_string(v);
	case T_INTEGER: return json_is_integer(v);
	case T_BOOLEAN: return json_is_boolean(v);
	case T_ARRAY: return json_is_array(v);
	case T_OBJECT: return json_is_object(v);
	}
	return 0;
}

static char problem[300];

/* Whether obj holds only the fields of its definition, each of its type,
 * and all the required ones; if not, problem says what is wrong. */
static int conforms(json_t *obj, const char *what, const struct field *fs)
{
	const char *key;
	json_t *v;
	if (!json_is_object(obj)) {
		snprintf(problem, sizeof(problem), "%s is not an object", what);
		return 0;
	}
	json_object_foreach(obj, key, v) {
		const struct field *f = fs;
		while (f->name && strcmp(f->name, key))
			f++;
		if (!f->name) {
			snprintf(problem, sizeof(problem), "%s has no field %s", what, key);
			return 0;
		}
		if (!has_type(v, f->type)) {
			snprintf(problem, sizeof(problem), "%s.%s has the wrong JSON type", what, key);
			return 0;
		}
	}
	for (const struct field *f = fs; f->name; f++)
		if (f->required && !json_object_get(obj, f->name)) {
			snprintf(problem, sizeof(problem), "%s lacks the required %s", what, f->name);
			return 0;
		}
	return 1;
}

static int all_conform(json_t *arr, const char *what, const struct field *fs)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (!conforms(v, what, fs))
			return 0;
	return 1;
}

/* The whole file against the definitions. */
static int valid(json_t *doc)
{
	problem[0] = '\0';
	return conforms(doc, "the config", full_vm_configuration) &&
	       conforms(json_object_get(doc, "boot-source"), "boot-source", boot_source) &&
	       (!json_object_get(doc, "machine-config") ||
		conforms(json_object_get(doc, "machine-config"), "machine-config", machine_configuration)) &&
	       all_conform(json_object_get(doc, "network-interfaces"), "a network interface", network_interface) &&
	       all_conform(json_object_get(doc, "drives"), "a drive", drive);
}

static json_t *parse(const char *text)
{
	json_error_t je;
	return text ? json_loads(text, JSON_REJECT_DUPLICATES, &je) : NULL;
}

static const char *str_at(json_t *doc, const char *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(doc, obj), key));
}

static json_t *int_at(json_t *doc, const char *obj, const char *key)
{
	return json_object_get(json_object_get(doc, obj), key);
}

/* firecracker_json refuses vm, says why, and appends nothing. */
static int refused(const struct firecracker_vm *vm, const char *words)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	sb_adds(&out, "x");
	int ok = firecracker_json(vm, &out, &err) == -1 && out.len == 1 && err.buf &&
		 strstr(err.buf, words) != NULL;
	if (!ok)
		printf("# output: %s\n# error: %s\n", out.buf, err.buf ? err.buf : "(none)");
	sb_release(&out);
	sb_release(&err);
	return ok;
}

int main(void)
{
	/* The table's checker itself: a field of the wrong type, a key
	 * Firecracker does not know, a required key missing. */
	json_t *t = parse("{\"boot-source\": {\"kernel_image_path\": \"vmlinux\"}, \"drives\": [],"
			  " \"machine-config\": {\"vcpu_count\": 1, \"mem_size_mib\": \"128\"}}");
	REQUIRE(t, "parsing the checker's sample");
	CHECK(!valid(t) && strstr(problem, "mem_size_mib"), "the checker finds a string where an integer belongs");
	json_decref(t);
	t = parse("{\"boot-source\": {\"kernel_image_path\": \"vmlinux\", \"kernel_args\": \"\"}, \"drives\": []}");
	CHECK(!valid(t) && strstr(problem, "kernel_args"), "the checker finds a key the definition lacks");
	json_decref(t);
	t = parse("{\"boot-source\": {\"kernel_image_path\": \"vmlinux\"}, \"network-interfaces\": []}");
	CHECK(!valid(t) && strstr(problem, "drives"), "the checker finds a required key missing");
	json_decref(t);
	t = parse("{\"boot-source\": {\"kernel_image_path\": \"vmlinux\"}, \"drives\": [],"
		  " \"network-interfaces\": [{\"iface_id\": \"eth0\"}]}");
	CHECK(!valid(t) && strstr(problem, "host_dev_name"), "the checker looks into array items");
	json_decref(t);

	struct firecracker_vm vm = {
		.kernel = "vmlinux",
		.initrd = "initramfs.cpio.xz",
		.boot_args = "console=ttyS0 reboot=k panic=1",
		.mem_size_mib = 192,
		.vcpu_count = 2,
		.host_dev_name = "tap0",
		.guest_mac = "06:00:AC:10:00:02",
	};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	REQUIRE(firecracker_json(&vm, &out, &err) == 0, "firecracker_json: %s", err.buf);
	json_t *doc = parse(out.buf);
	CHECK(doc != NULL, "the config is JSON that jansson reads, with no key twice");
	CHECK(out.len && out.buf[out.len - 1] == '\n', "the file ends with a newline");
	CHECK(valid(doc), "every key is a field Firecracker 1.16.1 knows, of its type, and none "
	      "it requires is missing%s%s", *problem ? ": " : "", problem);
	CHECK(json_object_get(doc, "machine-config") && json_object_get(doc, "network-interfaces"),
	      "the machine and the network are configured, not left to Firecracker's defaults");
	json_t *mem = int_at(doc, "machine-config", "mem_size_mib");
	CHECK(json_is_integer(mem) && json_integer_value(mem) == 192, "mem_size_mib is the integer passed in");
	json_t *vcpus = int_at(doc, "machine-config", "vcpu_count");
	CHECK(json_is_integer(vcpus) && json_integer_value(vcpus) == 2, "vcpu_count is the integer passed in");
	CHECK(json_is_false(int_at(doc, "machine-config", "smt")), "SMT is off");
	const char *k = str_at(doc, "boot-source", "kernel_image_path");
	const char *i = str_at(doc, "boot-source", "initrd_path");
	CHECK(k && i && k[0] != '/' && i[0] != '/' && !strcmp(k, "vmlinux") && !strcmp(i, "initramfs.cpio.xz"),
	      "the kernel and initrd paths are the relative ones passed in");
	const char *a = str_at(doc, "boot-source", "boot_args");
	CHECK(a && !strcmp(a, vm.boot_args), "the boot arguments are the caller's, unchanged");
	json_t *drives = json_object_get(doc, "drives");
	CHECK(json_is_array(drives) && json_array_size(drives) == 0,
	      "no drive: the initramfs is the root, and the key is there though empty");
	json_t *nets = json_object_get(doc, "network-interfaces");
	json_t *eth0 = json_array_get(nets, 0);
	CHECK(json_array_size(nets) == 1 &&
	      !strcmp(json_string_value(json_object_get(eth0, "iface_id")) ?: "", "eth0") &&
	      !strcmp(json_string_value(json_object_get(eth0, "host_dev_name")) ?: "", "tap0") &&
	      !strcmp(json_string_value(json_object_get(eth0, "guest_mac")) ?: "", "06:00:AC:10:00:02"),
	      "one network interface, eth0 on tap0 with the MAC address given");
	json_decref(doc);

	/* What is optional is left out, not written as null or "". */
	struct firecracker_vm bare = vm;
	bare.boot_args = NULL;
	bare.guest_mac = NULL;
	out.len = 0;
	REQUIRE(firecracker_json(&bare, &out, &err) == 0, "firecracker_json: %s", err.buf);
	doc = parse(out.buf);
	eth0 = json_array_get(json_object_get(doc, "network-interfaces"), 0);
	CHECK(valid(doc) && eth0 && !json_object_get(eth0, "guest_mac") &&
	      !json_object_get(json_object_get(doc, "boot-source"), "boot_args"),
	      "no MAC address and no boot arguments: the keys are left out%s%s",
	      *problem ? ": " : "", problem);
	json_decref(doc);
	bare.host_dev_name = NULL;
	out.len = 0;
	REQUIRE(firecracker_json(&bare, &out, &err) == 0, "firecracker_json: %s", err.buf);
	doc = parse(out.buf);
	nets = json_object_get(doc, "network-interfaces");
	CHECK(valid(doc) && json_is_array(nets) && json_array_size(nets) == 0,
	      "no tap device: no network interface");
	json_decref(doc);

	/* Refused, as Firecracker would refuse them at start. */
	struct firecracker_vm bad = vm;
	bad.mem_size_mib = 0;
	CHECK(refused(&bad, "mem_size_mib"), "mem_size_mib 0 is refused");
	bad.mem_size_mib = -64;
	CHECK(refused(&bad, "mem_size_mib"), "a negative mem_size_mib is refused");
	bad = vm;
	bad.kernel = NULL;
	CHECK(refused(&bad, "kernel"), "no kernel is refused");
	bad.kernel = "/work/run/vmlinux";
	CHECK(refused(&bad, "absolute"), "an absolute kernel path is refused");
	bad = vm;
	bad.initrd = NULL;
	CHECK(refused(&bad, "initrd"), "no initrd is refused");
	bad.initrd = "/tmp/initramfs.cpio.xz";
	CHECK(refused(&bad, "absolute"), "an absolute initrd path is refused");
	bad = vm;
	bad.vcpu_count = 0;
	CHECK(refused(&bad, "vcpu_count"), "0 vCPUs are refused");
	bad.vcpu_count = 33;
	CHECK(refused(&bad, "vcpu_count"), "33 vCPUs are refused: Firecracker's maximum is 32");
	bad = vm;
	bad.guest_mac = "06:00:ac:10:00";
	CHECK(refused(&bad, "MAC"), "a MAC address of five pairs is refused");
	bad.guest_mac = "06:00:ac:10:00:0g";
	CHECK(refused(&bad, "MAC"), "a MAC address with a non-hex digit is refused");
	bad.guest_mac = "06:00:ac:10:00:02:";
	CHECK(refused(&bad, "MAC"), "a MAC address with a trailing colon is refused");
	bad.host_dev_name = NULL;
	bad.guest_mac = vm.guest_mac;
	CHECK(refused(&bad, "tap"), "a MAC address without a tap device is refused");
	bad = vm;
	bad.boot_args = "console=ttyS0 \xff";
	CHECK(refused(&bad, "boot arguments: not UTF-8"), "boot arguments that are not UTF-8 are refused, "
	      "and the error says which field");

	/* The file: what firecracker_json says, under its name only. */
	char dir[] = "/tmp/reduce-test-firecracker-XXXXXX";
	REQUIRE(mkdtemp(dir), "mkdtemp");
	char *path = xasprintf("%s/firecracker.json", dir);
	struct strbuf text = STRBUF_INIT;
	out.len = 0;
	REQUIRE(firecracker_json(&vm, &out, &err) == 0, "firecracker_json: %s", err.buf);
	CHECK(firecracker_write(&vm, path, &err) == 0 && read_file(path, &text) == 0 &&
	      text.len == out.len && !memcmp(text.buf, out.buf, out.len),
	      "firecracker_write writes the text firecracker_json makes");
	int entries = 0;
	DIR *d = opendir(dir);
	REQUIRE(d, "opendir %s", dir);
	for (struct dirent *e; (e = readdir(d));)
		entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	CHECK(entries == 1, "no temporary file is left beside it");
	char *bad_path = xasprintf("%s/bad.json", dir);
	bad = vm;
	bad.mem_size_mib = 0;
	CHECK(firecracker_write(&bad, bad_path, &err) == -1 && !file_exists(bad_path),
	      "a refused config writes no file");
	char *nodir = xasprintf("%s/no/such/dir/firecracker.json", dir);
	sb_release(&err);
	CHECK(firecracker_write(&vm, nodir, &err) == -1 && err.buf && strstr(err.buf, "cannot write") &&
	      strstr(err.buf, nodir), "a file that cannot be written is an error that names it");
	unlink(path);
	rmdir(dir);
	free(path);
	free(bad_path);
	free(nodir);
	sb_release(&text);
	sb_release(&out);
	sb_release(&err);
	UNIT_EXIT();
}
