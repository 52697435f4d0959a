// A small typed shim over libpci for Swift.
//
// Why: pci_lookup_name() is variadic, and libpci's default error handler calls exit(1), which would
// kill a long-running audit on one bad sysfs tree. Every entry point here installs an error handler
// that records the message and longjmps back into the same C frame, so an error becomes a return
// code and never crosses a Swift frame.
#ifndef SRIOV_AUDIT_CPCI_H
#define SRIOV_AUDIT_CPCI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One PCI function as libpci reports it.
typedef struct cpci_function {
  int vendor_id;
  int device_id;
  int device_class;       // base class << 8 | subclass
  int prog_if;            // -1 when unknown
  int revision;           // -1 when unknown
  int subsys_vendor_id;   // -1 when unknown
  int subsys_id;          // -1 when unknown
  int config_size;        // bytes of config space copied out
} cpci_function;

typedef struct cpci_handle cpci_handle;

/// Opens libpci on a sysfs tree. `sysfs_path` is the directory that holds `devices/` (usually
/// "/sys/bus/pci"); NULL keeps libpci's default. `ids_path` NULL keeps the default pci.ids.
/// Returns NULL and fills `err` on failure.
cpci_handle *cpci_open_sysfs(const char *sysfs_path, const char *ids_path, char *err, size_t errlen);

/// Describes one function: identity, class, subsystem and as much config space as is readable
/// (64, 256 or 4096 bytes, into `config` of capacity `config_cap`). Devices are addressed one by
/// one so that a device vanishing mid-scan fails alone. Returns 0, or -1 with `err` filled.
int cpci_describe(cpci_handle *h, int domain, int bus, int dev, int func, cpci_function *out,
                  uint8_t *config, int config_cap, char *err, size_t errlen);

/// Looks a name up in pci.ids (never udev's hwdb, never DNS). `kind`: 1 vendor, 2 device,
/// 3 subsystem, 4 class (base << 8 | subclass). Returns 1 and fills `out` when found, 0 otherwise.
int cpci_lookup(cpci_handle *h, int kind, int a, int b, int c, int d, char *out, size_t outlen);

/// Releases the handle and everything it owns.
void cpci_close(cpci_handle *h);

#ifdef __cplusplus
}
#endif
#endif
