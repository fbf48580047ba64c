// -Z USER: procscope becomes USER once its handles are open, as tcpdump -Z does, but each of its threads keeps
// the capabilities its own work still needs: the capture thread cap_net_raw (to reopen the interface when
// delivery switches between immediate and buffered), the attribution thread read access to /proc
// (cap_sys_ptrace, cap_dac_read_search: other users' descriptor tables); every other thread none.
//
// Why it is done this way: glibc applies setgroups, setgid and setuid to every thread of the process (its
// setxid broadcast), and a thread whose uid leaves 0 loses all its capabilities unless it has set
// PR_SET_KEEPCAPS itself (a per-thread flag); capabilities are per thread too (capset changes only the
// caller). So each thread that keeps something sets KEEPCAPS before the switch and narrows its own set after
// it; threads started afterwards inherit what their creator kept.
#include "CProcscopeLinux.h"
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int ps_keep_capabilities_across_user_change(int keep) {
    return prctl(PR_SET_KEEPCAPS, keep ? 1 : 0, 0, 0, 0);
}

int ps_narrow_capabilities(uint64_t keep) {
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2] = { 0 };
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    keep &= (uint64_t)data[1].permitted << 32 | data[0].permitted; // one cannot keep what one does not have
    struct __user_cap_data_struct narrowed[2] = { 0 };
    narrowed[0].permitted = narrowed[0].effective = (uint32_t)keep;
    narrowed[1].permitted = narrowed[1].effective = (uint32_t)(keep >> 32);
    if (syscall(SYS_capset, &header, narrowed) != 0) return -1;
    return ps_keep_capabilities_across_user_change(0);
}

int ps_switch_user(const char *user, uid_t uid, gid_t gid) {
    if (initgroups(user, gid) != 0) return PS_DROP_GROUPS;
    if (setgid(gid) != 0) return PS_DROP_GID;
    if (setuid(uid) != 0) return PS_DROP_UID;
    // The way back must be closed: a process that could become root again has dropped nothing.
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        errno = EPERM;
        return PS_DROP_REGAINED;
    }
    return 0;
}

int ps_can_switch_user(void) {
    if (geteuid() == 0) return 1;
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2] = { 0 };
    if (syscall(SYS_capget, &header, data) != 0) return 0;
    uint32_t needed = 1u << CAP_SETUID | 1u << CAP_SETGID;
    return (data[0].effective & needed) == needed;
}
