/* SPDX-License-Identifier: MIT */
/*
 * update and ps: the verbs that act on a live container's cgroup.  Neither
 * writes the state: the cgroup itself is where the limits live, so a
 * refused update leaves state.json and the limits as they were.
 */
#include <errno.h>

#include "../cgroup/cgroup.h"
#include "container.h"

/* Lock, read the state, and open the cgroup of a container not stopped. */
static int open_live(const char *root, const char *id, const char *verb,
		     int *lock_fd, struct husk_cgroup **cg,
		     struct husk_err *err)
{
	struct husk_state st;
	enum husk_status s;
	int ret;

	if (husk_id_validate(id, err) < 0 ||
	    husk_state_lock(root, id, lock_fd, err) < 0)
		return err->code;
	if (husk_state_read(root, id, &st, err) < 0) {
		ret = err->code;
		goto out;
	}
	s = husk_container_status(&st);
	if (s == HUSK_STATUS_STOPPED || s == HUSK_STATUS_CREATING)
		ret = husk_fail(err, 0, "cannot %s container %s: it is %s",
				verb, id, husk_status_name(s));
	else if (!st.cgroup_path)
		ret = husk_fail(err, 0, "container %s has no cgroup", id);
	else
		ret = husk_cgroup_open(st.cgroup_path, false, cg, err);
	if (ret < 0 && err->code == -ENOENT)
		husk_err_prefix(err, "%s %s", verb, id);
out:
	husk_state_free(&st);
	return ret;
}

int husk_container_update(const char *root, const char *id,
			  const struct husk_resources *res,
			  struct husk_err *err)
{
	_cleanup_close_ int lock_fd = -1;
	struct husk_cgroup *cg = NULL;
	int ret = open_live(root, id, "update", &lock_fd, &cg, err);

	if (ret == 0) {
		ret = husk_cgroup_apply(cg, res, err);
		husk_cgroup_free(cg);
	}
	return ret;
}

int husk_container_pids(const char *root, const char *id, pid_t **pids,
			size_t *n, struct husk_err *err)
{
	_cleanup_close_ int lock_fd = -1;
	struct husk_cgroup *cg = NULL;
	int ret = open_live(root, id, "list processes of", &lock_fd, &cg, err);

	if (ret == 0) {
		ret = husk_cgroup_pids(cg, pids, n, err);
		husk_cgroup_free(cg);
	}
	return ret;
}
