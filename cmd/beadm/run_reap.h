/* beadm run, in the global zone and in a zone: the command's leftovers. */
#ifndef ZBE_RUN_REAP_H
#define ZBE_RUN_REAP_H

/*
 * Kill (SIGKILL) every process whose root directory is root, the new BE
 * the command ran chrooted into: what the command left running (a daemon
 * it started, the children of a shell killed by a signal) would keep the
 * BE busy, so that it could be neither unmounted nor destroyed.  Waits
 * until none is left (at most about 5 s).  Returns how many it killed.
 * libc only: the static in-zone beadm uses it too.
 */
int run_reap(const char *root);

#endif
