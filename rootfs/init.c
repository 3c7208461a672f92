/*
 * The image's PID 1: mounts the kernel filesystems, brings up the network,
 * starts the app described in /init.conf and tells the host on the serial
 * console when it is up. The host harness waits for these markers:
 *
 *   reduce-init: started at S     first instruction of user space, S the
 *                                 guest's uptime in seconds (printk's clock)
 *   reduce-init: ready            every port in init.conf accepts connections
 *   reduce-init: memory ...       then what the guest's memory holds
 *   reduce-init: app exited N     the app died; init powers the VM off
 *   reduce-init: ready (no app)   "noapp 1" in init.conf: nothing started
 *
 * Built static so that it needs nothing from the image it lives in. Built
 * with REDUCE_OBSERVE it is rootfs/init-observe, the init of the one
 * observing boot, which also says after ready:
 *
 *   reduce-init: touched PATH     PATH was read, listed, run or written
 *                                 since the image was unpacked
 *   reduce-init: scanned N        the Nth look at the tree is complete
 *   reduce-init: observe failed: WHY   nothing more will be said touched
 *
 * Only that boot carries it: every other image's init stays without code
 * it never runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/ioctl.h>
#ifdef REDUCE_OBSERVE
#include <dirent.h>
#include <limits.h>
#include <sys/resource.h>
#endif
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init-cmd.h"

#define MAX_ARGS INIT_MAX_ARGS
#define MAX_PORTS 16
#define MAX_ENV (INIT_MAX_ENV + 1)

static char *argv_app[MAX_ARGS + 1];
static char *envp_app[MAX_ENV + 2];
static int ports[MAX_PORTS], nports, nenv, noapp;
static char ip[32] = "10.0.2.15", netmask[32] = "255.255.255.0", gw[32] = "10.0.2.2";
static char workdir[256] = "/";
static long app_uid = -1, app_gid = -1;

static void say(const char *fmt, const char *arg)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), fmt, arg);
	if (write(1, buf, n) < 0) {
		/* nowhere to report it */
	}
}

/* Without /proc (a kernel reduced without PROC_FS), sysinfo(2), which
 * every kernel has, still gives the total, the free and the shared
 * (Shmem) memory. */
static void say_sysinfo(void)
{
	struct sysinfo si;
	char line[160];
	if (sysinfo(&si) < 0)
		return;
	unsigned long long u = si.mem_unit ? si.mem_unit : 1;
	snprintf(line, sizeof(line), "reduce-init: memory MemTotal=%llukB MemFree=%llukB Shmem=%llukB Buffers=%llukB\n",
		 si.totalram * u / 1024, si.freeram * u / 1024, si.sharedram * u / 1024, si.bufferram * u / 1024);
	say("%s", line);
}

/* Where the guest's memory went once the app is ready, from
 * /proc/meminfo: the unpacked files are Shmem (the initramfs is unpacked
 * into a tmpfs), the app's own memory mostly AnonPages. */
static void say_memory(void)
{
	static const char *const keys[] = { "MemTotal:", "MemFree:", "MemAvailable:", "Shmem:",
					    "AnonPages:", "Slab:", "PageTables:", NULL };
	char buf[2048], line[256] = "reduce-init: memory";
	int fd = open("/proc/meminfo", O_RDONLY), n = fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		say_sysinfo();
		return;
	}
	buf[n] = '\0';
	for (int i = 0; keys[i]; i++) {
		char *p = strstr(buf, keys[i]);
		size_t len = strlen(line);
		if (p && len < sizeof(line) - 32)
			snprintf(line + len, sizeof(line) - len, " %.*s=%ldkB", (int)strlen(keys[i]) - 1,
				 keys[i], strtol(p + strlen(keys[i]), NULL, 10));
	}
	say("%s\n", line);
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void app_exited(int status)
{
	char code[16];
	snprintf(code, sizeof(code), "%d", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	say("reduce-init: app exited %s\n", code);
	power_off();
}

static void read_conf(void)
{
	static char buf[INIT_CONF_MAX];
	int fd = open("/init.conf", O_RDONLY);
	if (fd < 0) {
		say("reduce-init: cannot open /init.conf%s\n", "");
		power_off();
	}
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	envp_app[nenv++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *val = strchr(line, ' ');
		if (!val)
			continue;
		*val++ = '\0';
		if (!strcmp(line, "cmd")) {
			init_split_cmd(val, argv_app, MAX_ARGS);
		} else if (!strcmp(line, "port") && nports < MAX_PORTS) {
			ports[nports++] = atoi(val);
		} else if (!strcmp(line, "env") && nenv < MAX_ENV) {
			envp_app[nenv++] = val;
		} else if (!strcmp(line, "ip")) {
			snprintf(ip, sizeof(ip), "%s", val);
		} else if (!strcmp(line, "netmask")) {
			snprintf(netmask, sizeof(netmask), "%s", val);
		} else if (!strcmp(line, "gw")) {
			snprintf(gw, sizeof(gw), "%s", val);
		} else if (!strcmp(line, "noapp")) {
			/* The harness's negative control: boot as usual, start
			 * nothing, and let the tests run against that. */
			noapp = atoi(val);
		} else if (!strcmp(line, "user")) {
			/* "user UID GID": the host resolved the names. */
			char *gid = strchr(val, ' ');
			app_uid = atol(val);
			app_gid = gid ? atol(gid + 1) : app_uid;
		} else if (!strcmp(line, "workdir")) {
			snprintf(workdir, sizeof(workdir), "%s", val);
		}
	}
	envp_app[nenv] = NULL;
}

static void set_addr(int s, const char *ifname, unsigned long req, const char *addr)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	if (ioctl(s, req, &ifr) < 0)
		say("reduce-init: address setup failed on %s\n", ifname);
}

static int if_up(int s, const char *ifname)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(s, SIOCSIFFLAGS, &ifr);
}

static void net_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		say("reduce-init: no IPv4 sockets%s\n", "");
		return;
	}
	if_up(s, "lo");
	if (if_up(s, "eth0") < 0) {
		say("reduce-init: no eth0%s\n", "");
		close(s);
		return;
	}
	set_addr(s, "eth0", SIOCSIFADDR, ip);
	set_addr(s, "eth0", SIOCSIFNETMASK, netmask);
	if_up(s, "eth0");

	struct rtentry rt;
	memset(&rt, 0, sizeof(rt));
	struct sockaddr_in *g = (struct sockaddr_in *)&rt.rt_gateway;
	struct sockaddr_in *d = (struct sockaddr_in *)&rt.rt_dst;
	struct sockaddr_in *m = (struct sockaddr_in *)&rt.rt_genmask;
	g->sin_family = d->sin_family = m->sin_family = AF_INET;
	inet_pton(AF_INET, gw, &g->sin_addr);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	if (ioctl(s, SIOCADDRT, &rt) < 0)
		say("reduce-init: default route failed%s\n", "");
	close(s);
}

static int port_open(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return 0;
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(s);
	return ok;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

#ifdef REDUCE_OBSERVE
/* The unpacker gives every entry the cpio's mtime as its atime and mtime
 * (CONFIG_INITRAMFS_PRESERVE_MTIME), and the root file system updates
 * atime on every read (it is mounted without relatime), so an entry
 * whose times differ from /init.conf's was read, listed, run or written
 * since. Each is said once, its path remembered by a hash: a collision
 * leaves one unsaid, which only costs the host's search a test or two,
 * as the host uses what it hears to order its search, never for a
 * verdict. */
#define SEEN_SLOTS 65536
#define SEEN_MAX (SEEN_SLOTS / 4 * 3)
static unsigned long long seen[SEEN_SLOTS];
static int nseen;
static struct timespec unpacked;
static dev_t root_dev;
static const char *observe_failed;

static int seen_before(const char *path)
{
	unsigned long long h = 1469598103934665603ULL;
	for (const char *p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h |= 1; /* 0 marks a free slot */
	for (unsigned long i = (h >> 1) % SEEN_SLOTS;; i = (i + 1) % SEEN_SLOTS) {
		if (seen[i] == h)
			return 1;
		if (!seen[i]) {
			seen[i] = h;
			nseen++;
			return 0;
		}
	}
}

static int same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static void scan(char *path, size_t len, int depth)
{
	static char line[PATH_MAX + 32];
	DIR *d = opendir(len ? path : "/");
	struct dirent *e;
	if (!d)
		return;
	while (!observe_failed && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || len + n + 2 >= PATH_MAX)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, e->d_name, n + 1);
		if (lstat(path, &st) < 0 || st.st_dev != root_dev)
			continue;
		if ((!same_time(&st.st_atim, &unpacked) || !same_time(&st.st_mtim, &unpacked)) &&
		    !seen_before(path)) {
			/* A full table would make each look slower; more than
			 * it holds touched is no guess worth making anyway. */
			if (nseen >= SEEN_MAX)
				observe_failed = "too many entries touched";
			int m = snprintf(line, sizeof(line), "reduce-init: touched %s\n", path);
			if (write(1, line, m) < 0) {
				/* nowhere to report it */
			}
		}
		if (S_ISDIR(st.st_mode) && depth < 64) {
			scan(path, len + 1 + n, depth + 1);
			/* Listing it touched it: put its atime back, or every
			 * directory would be said touched at the next look (an
			 * app listing it in between is lost, and costs the
			 * host's search a test or two, never a result). */
			if (same_time(&st.st_atim, &unpacked)) {
				struct timespec t[2] = { st.st_atim, { 0, UTIME_OMIT } };
				utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW);
			}
		}
	}
	path[len] = '\0';
	closedir(d);
}

static void observe_once(void)
{
	static char path[PATH_MAX];
	static int scans, said;
	char n[16];
	if (!observe_failed) {
		path[0] = '\0';
		scan(path, 0, 0);
	}
	if (observe_failed && !said++)
		say("reduce-init: observe failed: %s\n", observe_failed);
	snprintf(n, sizeof(n), "%d", ++scans);
	say("reduce-init: scanned %s\n", n);
}

/* Before anything changes the tree: the times every entry was given. The
 * cpio's mtimes are whole seconds (SOURCE_DATE_EPOCH or 0): a fraction
 * means the kernel gave the entries the time of the unpacking instead. */
static void observe_start(void)
{
	struct stat conf;
	if (lstat("/init.conf", &conf) < 0)
		observe_failed = "cannot stat /init.conf";
	else if (conf.st_mtim.tv_nsec || !same_time(&conf.st_atim, &conf.st_mtim))
		observe_failed = "the kernel did not keep the archive's times";
	unpacked = conf.st_mtim;
	root_dev = conf.st_dev;
}

/* After ready: a look at the tree every 250 ms until the app ends (or the
 * host stops the guest), at the lowest priority, so that the app and its
 * tests are slowed as little as they can be. */
static void observe_until_exit(pid_t app)
{
	int status;
	if (setpriority(PRIO_PROCESS, 0, 19) < 0) {
		/* then at the same priority */
	}
	for (;;) {
		pid_t r;
		while ((r = waitpid(-1, &status, WNOHANG)) > 0)
			if (r == app)
				app_exited(status);
		observe_once();
		sleep_ms(250);
	}
}
#endif

int main(void)
{
#ifdef REDUCE_OBSERVE
	observe_start();
#endif
	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/dev", 0755);
	mkdir("/tmp", 01777);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	/* The kernel opened /dev/console before devtmpfs existed only if the
	 * image carried the node; reopen so that output always reaches it. */
	int fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	/* CLOCK_BOOTTIME is printk's clock: the host's time to this line
	 * less this figure is what came before the kernel (firmware,
	 * loading, a bzImage's decompression). */
	struct timespec up;
	char at[48] = "";
	if (clock_gettime(CLOCK_BOOTTIME, &up) == 0)
		snprintf(at, sizeof(at), " at %ld.%06ld", (long)up.tv_sec, up.tv_nsec / 1000);
	say("reduce-init: started%s\n", at);
	read_conf();
	net_up();
	if (noapp) {
		say("reduce-init: ready (no app)%s\n", "");
		for (;;)
			if (wait(NULL) < 0)
				pause();
	}
	if (!argv_app[0]) {
		say("reduce-init: no cmd in /init.conf%s\n", "");
		power_off();
	}

	pid_t app = fork();
	if (app == 0) {
		setsid();
		if (chdir(workdir) < 0)
			say("reduce-init: cannot chdir to %s\n", workdir);
		if (app_uid >= 0 && (setgroups(0, NULL) < 0 || setgid((gid_t)app_gid) < 0 ||
				     setuid((uid_t)app_uid) < 0)) {
			say("reduce-init: cannot become the app's user%s\n", "");
			_exit(126);
		}
		execve(argv_app[0], argv_app, envp_app);
		say("reduce-init: cannot exec %s\n", argv_app[0]);
		_exit(127);
	}

	int ready = 0, status;
	for (;;) {
		pid_t r = waitpid(-1, &status, ready ? 0 : WNOHANG);
		if (r == app)
			app_exited(status);
		if (ready)
			continue;
		int up = 1;
		for (int i = 0; i < nports && up; i++)
			up = port_open(ports[i]);
		if (up) {
			ready = 1;
			say("reduce-init: ready%s\n", "");
			say_memory();
#ifdef REDUCE_OBSERVE
			observe_until_exit(app);
#endif
		} else {
			sleep_ms(10);
		}
	}
}
