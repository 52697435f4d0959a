#include "ckernel.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

int ckernel_ethtool_drvinfo(int fd, const char *ifname, struct ethtool_drvinfo *out) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memset(out, 0, sizeof *out);
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  out->cmd = ETHTOOL_GDRVINFO;
  ifr.ifr_data = (void *)out;
  if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) return errno;
  return 0;
}
