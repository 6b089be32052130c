// Owning handles for libvirt's C objects: each releases its reference exactly once, also when
// an exception unwinds the stack.
#pragma once

#include <libvirt/libvirt.h>

#include <memory>

namespace labctl::virt {

struct ConnectDeleter {
    void operator()(virConnectPtr p) const { virConnectClose(p); }
};
struct DomainDeleter {
    void operator()(virDomainPtr p) const { virDomainFree(p); }
};
struct NetworkDeleter {
    void operator()(virNetworkPtr p) const { virNetworkFree(p); }
};
struct PoolDeleter {
    void operator()(virStoragePoolPtr p) const { virStoragePoolFree(p); }
};
struct VolumeDeleter {
    void operator()(virStorageVolPtr p) const { virStorageVolFree(p); }
};
struct StreamDeleter {
    void operator()(virStreamPtr p) const { virStreamFree(p); }
};
struct SnapshotDeleter {
    void operator()(virDomainSnapshotPtr p) const { virDomainSnapshotFree(p); }
};

using ConnectPtr = std::unique_ptr<virConnect, ConnectDeleter>;
using DomainPtr = std::unique_ptr<virDomain, DomainDeleter>;
using NetworkPtr = std::unique_ptr<virNetwork, NetworkDeleter>;
using PoolPtr = std::unique_ptr<virStoragePool, PoolDeleter>;
using VolumePtr = std::unique_ptr<virStorageVol, VolumeDeleter>;
using SnapshotPtr = std::unique_ptr<virDomainSnapshot, SnapshotDeleter>;
using StreamPtr = std::unique_ptr<virStream, StreamDeleter>;

// libvirt returns strings (XML, metadata) that the caller must free().
struct CharDeleter {
    void operator()(char* p) const;
};
using CharPtr = std::unique_ptr<char, CharDeleter>;

}  // namespace labctl::virt
