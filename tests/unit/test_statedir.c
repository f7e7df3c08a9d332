/* SPDX-License-Identifier: ISC */
/* test_statedir.c - state_dir opened once, its files never through a link */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../agent/statedir.h"
#include "unit.h"

static char	outside[96];

static int
setup_dir(void **state)
{
	if (unit_setup_state_dir(state) == -1)
		return -1;
	snprintf(outside, sizeof(outside), "%s/outside", unit_dir);
	return mkdir(outside, 0700);
}

static void
write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* the entries of outside/, so a test can say nothing there changed */
static int
count_outside(void)
{
	char	cmd[160], buf[32] = "";
	FILE	*p;

	snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", outside);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(buf, sizeof(buf), p));
	pclose(p);
	return atoi(buf);
}

static void
in_state(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", unit_sdir, name);
}

static void
test_create(void **state)
{
	char		path[128], err[512];
	struct stat	st;

	(void)state;
	assert_int_equal(stat(unit_sdir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/file", unit_dir);
	write_text(path, "x");
	assert_int_equal(statedir_open(path, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a directory"));
	/* a missing one is no refusal without create; reads find nothing */
	snprintf(path, sizeof(path), "%s/missing", unit_dir);
	assert_int_equal(statedir_open(path, 0, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/missing/state.json", unit_dir);
	assert_null(sd_read_file(path, 1024, NULL, NULL, 0));
	assert_int_equal(errno, ENOENT);
	snprintf(path, sizeof(path), "%s/missing", unit_dir);
	assert_int_equal(stat(path, &st), -1);
}

static void
test_atomic_write(void **state)
{
	char		 path[128], tmp[160], target[128], err[512], *back;
	struct stat	 st;
	size_t		 len;

	(void)state;
	in_state(path, sizeof(path), "state.json");
	assert_int_equal(sd_write_atomic(path, "{\"a\":1}", 7, err,
	    sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	back = sd_read_file(path, 1024, &len, NULL, 0);
	assert_non_null(back);
	assert_int_equal(len, 7);
	assert_string_equal(back, "{\"a\":1}");
	free(back);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(stat(tmp, &st), -1);
	in_state(path, sizeof(path), "nodir/x");
	assert_int_equal(sd_write_atomic(path, "x", 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nodir"));
	/* a tmp name planted as a link: removed, never written through */
	snprintf(target, sizeof(target), "%s/victim", outside);
	write_text(target, "untouched");
	in_state(path, sizeof(path), "state.json");
	assert_int_equal(symlink(target, tmp), 0);
	assert_int_equal(sd_write_atomic(path, "{}", 2, err, sizeof(err)), 0);
	back = sd_read_file(target, 1024, &len, NULL, 0);	/* outside: refused */
	assert_null(back);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 9);
}

static void
test_refused_dir(void **state)
{
	char	path[128], link[160], err[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/open", unit_dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, 0777), 0);
	assert_int_equal(statedir_open(path, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "group/world writable"));
	assert_non_null(strstr(err, "chmod 700"));
	/* refused for good: every later access says why */
	assert_int_equal(statedir_open(path, 1, err, sizeof(err)), -1);
	snprintf(link, sizeof(link), "%s/state.json", path);
	assert_int_equal(sd_open(link, O_RDONLY, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "group/world writable"));
	assert_int_equal(chmod(path, 0720), 0);
	snprintf(path, sizeof(path), "%s/open2", unit_dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, 0770), 0);
	assert_int_equal(statedir_open(path, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mode 0770"));
	/* state_dir named through a link */
	snprintf(link, sizeof(link), "%s/linked", unit_dir);
	assert_int_equal(symlink(unit_sdir, link), 0);
	assert_int_equal(statedir_open(link, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	/* the trailing slash of a config is the same directory */
	snprintf(path, sizeof(path), "%s/", unit_sdir);
	assert_int_equal(statedir_open(path, 0, err, sizeof(err)), 0);
	in_state(path, sizeof(path), "x.json");
	assert_int_equal(sd_write_atomic(path, "{}", 2, err, sizeof(err)), 0);
}

static void
test_links(void **state)
{
	char		 path[128], target[128], spool[128], err[512];
	struct stat	 st;
	int		 fd, before;

	(void)state;
	snprintf(target, sizeof(target), "%s/secret", outside);
	write_text(target, "not for you");
	before = count_outside();

	in_state(path, sizeof(path), "state.json");
	assert_int_equal(symlink(target, path), 0);
	assert_null(sd_read_file(path, 1024, NULL, NULL, 0));
	assert_int_equal(errno, ELOOP);
	assert_int_equal(sd_open(path, O_RDWR | O_CREAT, 0600, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "state.json: a symbolic link; refused"));

	in_state(path, sizeof(path), "audit.log");
	assert_int_equal(link(target, path), 0);
	assert_int_equal(sd_open(path, O_RDWR | O_APPEND | O_CREAT, 0600, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "audit.log: has 2 hard links"));

	/* spool planted as a link to a directory: never entered */
	in_state(spool, sizeof(spool), "spool");
	assert_int_equal(symlink(outside, spool), 0);
	assert_int_equal(sd_mkdir(spool, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "spool: a symbolic link; refused"));
	assert_null(sd_opendir(spool, err, sizeof(err)));
	in_state(path, sizeof(path), "spool/1-x-smtp.json");
	assert_int_equal(sd_write_atomic(path, "{}", 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "spool: a symbolic link; refused"));
	in_state(path, sizeof(path), "spool/secret");
	assert_int_equal(sd_unlink(path), -1);
	assert_int_equal(sd_lstat(path, &st), -1);
	/* unlink takes the link away, not what it names */
	assert_int_equal(sd_unlink(spool), 0);
	assert_int_equal(lstat(spool, &st), -1);
	assert_int_equal(count_outside(), before);
	assert_int_equal(sd_mkdir(spool, err, sizeof(err)), 0);
	assert_int_equal(stat(spool, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	/* a FIFO must not hang a reader */
	in_state(path, sizeof(path), "status.json");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_null(sd_read_file(path, 1024, NULL, NULL, 0));
	assert_int_equal(sd_open(path, O_RDONLY, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));

	/* outside state_dir, or climbing out of it */
	assert_int_equal(sd_open(target, O_RDONLY, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not inside state_dir"));
	in_state(path, sizeof(path), "../outside/secret");
	assert_int_equal(sd_open(path, O_RDONLY, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a name inside state_dir"));
	assert_int_equal(sd_open(path, O_RDONLY | O_TRUNC, 0, err,
	    sizeof(err)), -1);

	/* only root can give a file away: owners are checked too */
	if (geteuid() == 0) {
		in_state(path, sizeof(path), "lock");
		assert_true((fd = sd_open(path, O_RDWR | O_CREAT, 0600, err,
		    sizeof(err))) >= 0);
		close(fd);
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(sd_open(path, O_RDWR | O_CREAT, 0600, err,
		    sizeof(err)), -1);
		assert_non_null(strstr(err, "owned by uid 65534"));
		assert_int_equal(chown(spool, 65534, 65534), 0);
		assert_int_equal(sd_mkdir(spool, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "spool: owned by uid 65534"));
	}
	assert_int_equal(count_outside(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create, setup_dir,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_write, setup_dir,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_refused_dir, setup_dir,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_links, setup_dir,
		    unit_teardown),
	};
	return cmocka_run_group_tests_name("statedir", tests, NULL, NULL);
}
