#ifndef KEPT_CSYSTEMD_SHIM_H
#define KEPT_CSYSTEMD_SHIM_H

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/timerfd.h>
#include <malloc.h>

/// Mirror of `struct ucred` (Glibc's Swift module hides it without _GNU_SOURCE):
/// what `getsockopt(SOL_SOCKET, SO_PEERCRED)` fills in for a Unix socket peer.
typedef struct kept_ucred {
    pid_t pid;
    uid_t uid;
    gid_t gid;
} kept_ucred;

/// timerfd flags, as plain constants Swift can see.
static const int kept_TFD_CLOEXEC = TFD_CLOEXEC;
static const int kept_TFD_TIMER_ABSTIME = TFD_TIMER_ABSTIME;
static const int kept_TFD_TIMER_CANCEL_ON_SET = TFD_TIMER_CANCEL_ON_SET;

#endif
