/* The release history through libgit2: a bare repository made on first
 * use, releases as commits on the app's branch tagged APP/VERSION, a
 * version that cannot be released twice without force, and refs left as
 * they were when a commit is refused. */
#include "history.h"
#include "unit.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int commit(struct history *h, const char *version, const char *text, int force,
		  char id[41], struct strbuf *err)
{
	struct history_file f[] = { { "report.json", text, strlen(text) }, { "memo.tsv", "", 0 } };
	char *msg = xasprintf("app %s: summary\n\nbody\n", version);
	err->len = 0;
	int rc = history_commit(h, "app", version, f, 2, msg, force, id, err);
	free(msg);
	return rc;
}

int main(void)
{
	char dir[] = "/tmp/reduce-test-history-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	setenv("REDUCE_CACHE", dir, 1);
	CHECK(history_is_url("file:///srv/h.git") && history_is_url("https://example.org/h.git") &&
	      history_is_url("git@example.org:h.git") && !history_is_url("reports/history.git") &&
	      !history_is_url("/srv/a:b/h.git") && !history_is_url("./x@y/h:z"),
	      "URLs and scp-like addresses are remotes; paths, even with a colon, are not");
	CHECK(history_valid_ref("refs/tags/app/1.25.3") && !history_valid_ref("refs/tags/app/a b") &&
	      !history_valid_ref("refs/tags/app/x..y"), "versions are checked as git tag names");

	struct history h;
	struct strbuf err = STRBUF_INIT;
	char *path = xasprintf("%s/h.git", dir);
	CHECK(history_open(&h, path, 0, &err) < 0 && strstr(err.buf, "no history at") && !file_exists(path),
	      "a reader opens no history where there is none (%s)", err.buf);
	err.len = 0;
	REQUIRE(history_open(&h, path, 1, &err) == 0, "open %s: %s", path, err.buf);
	char *head = xasprintf("%s/HEAD", path);
	CHECK(file_exists(head), "a missing history is created as a bare repository");
	struct release rel, rel2;
	CHECK(history_latest(&h, "app", &rel) == 0, "a new history has no release");

	char c1[41], c2[41], c3[41];
	CHECK(commit(&h, "1.0", "{\"v\": 1}", 0, c1, &err) == 0, "a first release is committed (%s)", err.len ? err.buf : "");
	CHECK(history_latest(&h, "app", &rel) == 1 && !strcmp(rel.commit, c1) &&
	      rel.version && !strcmp(rel.version, "1.0") && !strcmp(rel.summary, "app 1.0: summary"),
	      "the latest release is its commit, with its version from the tag and its summary");
	struct strbuf got = STRBUF_INIT;
	CHECK(history_read(&h, &rel, "report.json", &got) == 0 && got.len == 8 &&
	      !memcmp(got.buf, "{\"v\": 1}", 8), "a release's file reads back as written");
	CHECK(history_read(&h, &rel, "nothing", &got) < 0, "a file the release lacks is an error");
	release_clear(&rel);

	CHECK(commit(&h, "1.0", "{\"v\": 9}", 0, c2, &err) == HISTORY_EXISTS &&
	      strstr(err.buf, "version 1.0 of app is already released (tag app/1.0)"),
	      "a version cannot be released twice (%s)", err.buf);
	CHECK(history_latest(&h, "app", &rel) == 1 && !strcmp(rel.commit, c1),
	      "a refused release moves nothing");
	release_clear(&rel);

	CHECK(commit(&h, "1.1", "{\"v\": 2}", 0, c2, &err) == 0, "a second release");
	CHECK(history_find(&h, "app", "1.0", &rel) == 1 && !strcmp(rel.commit, c1) &&
	      history_find(&h, "app", "1.1", &rel2) == 1 && !strcmp(rel2.commit, c2) &&
	      history_find(&h, "app", "1.2", &rel) == 0, "releases are found by version");
	release_clear(&rel2);
	struct release *list;
	int n;
	CHECK(history_list(&h, "app", &list, &n) == 0 && n == 2 && !strcmp(list[0].commit, c2) &&
	      !strcmp(list[1].commit, c1), "the list is newest first, each release the child of the last");
	for (int i = 0; i < n; i++)
		release_clear(&list[i]);
	free(list);

	CHECK(commit(&h, "1.1", "{\"v\": 3}", 1, c3, &err) == 0 &&
	      history_find(&h, "app", "1.1", &rel) == 1 && !strcmp(rel.commit, c3),
	      "--force releases a version again, the tag moved to the new commit");
	release_clear(&rel);
	/* A branch that cannot move (locked by another writer) moves nothing,
	 * not even the tag --force would have moved. */
	char *lock = xasprintf("%s/refs/heads/app.lock", path);
	write_file_atomic(lock, "", 0);
	char c4[41];
	CHECK(commit(&h, "1.1", "{\"v\": 4}", 1, c4, &err) == -1 &&
	      history_find(&h, "app", "1.1", &rel) == 1 && !strcmp(rel.commit, c3) &&
	      history_latest(&h, "app", &rel2) == 1 && !strcmp(rel2.commit, c3),
	      "a release whose branch cannot move leaves the branch and the tag as they were");
	release_clear(&rel);
	release_clear(&rel2);
	unlink(lock);
	free(lock);
	struct strvec apps = STRVEC_INIT;
	CHECK(history_apps(&h, &apps) == 0 && apps.n == 1 && !strcmp(apps.v[0], "app"),
	      "each app is a branch");
	sv_clear(&apps);
	history_close(&h);

	char *junk = xasprintf("%s/junk", dir), *file = xasprintf("%s/junk/file", dir);
	mkdir_p(junk);
	write_file_atomic(file, "x", 1);
	err.len = 0;
	CHECK(history_open(&h, junk, 1, &err) < 0 && strstr(err.buf, "exists and is not a git repository"),
	      "a directory that is not a repository is not made into one (%s)", err.buf);
	char *rm = xasprintf("rm -rf %s", dir);
	if (system(rm)) {
	}
	UNIT_EXIT();
}
