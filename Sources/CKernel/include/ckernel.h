// Kernel UAPI for the collector: rtnetlink (RTM_GETLINK, IFLA_VFINFO_LIST) and ethtool
// (SIOCETHTOOL / ETHTOOL_GDRVINFO), straight from /usr/include/linux.
//
// Why a C target: ioctl(2) is variadic and the netlink alignment helpers are macros, neither of
// which Swift imports. The structs and enums themselves come through unchanged.
#ifndef SRIOV_AUDIT_CKERNEL_H
#define SRIOV_AUDIT_CKERNEL_H

#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdint.h>

/// ETHTOOL_GDRVINFO on `ifname` through `fd` (an AF_INET/SOCK_DGRAM socket).
/// Returns 0 or the errno of the failed ioctl.
int ckernel_ethtool_drvinfo(int fd, const char *ifname, struct ethtool_drvinfo *out);

/// The netlink alignment (NLMSG_ALIGN / RTA_ALIGN are both 4 bytes).
static inline uint32_t ckernel_nl_align(uint32_t len) { return (len + 3u) & ~3u; }

#endif
