#ifndef REDUCE_MACHINE_H
#define REDUCE_MACHINE_H

/* The machines an image is reduced for. pc: SeaBIOS, virtio over PCI, a
 * bzImage. microvm: QEMU's microvm (no firmware to speak of, no PCI,
 * virtio over MMIO), the kernel entered as a PVH vmlinux, as Firecracker
 * and Cloud Hypervisor boot it. vm.c describes each; this header is the
 * name alone, for the layers that choose by it (the options, needs.c). */
enum vm_machine { VM_PC, VM_MICROVM };
#define VM_MACHINES "pc, microvm"

#endif
