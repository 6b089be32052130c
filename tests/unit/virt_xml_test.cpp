// The XML writer and the libvirt XML builders: pure functions, checked by parsing their
// output back with libxml2 (virt::XmlDoc), never by comparing strings.
#include <gtest/gtest.h>

#include "util/error.hpp"
#include "util/xml_writer.hpp"
#include "virt/tag.hpp"
#include "virt/xml_builders.hpp"
#include "virt/xml_query.hpp"

using namespace labctl;

TEST(VirtXmlWriter, EscapesTextAndAttributes) {
    util::XmlWriter xml;
    xml.open("a").attr("v", "x\"y'<&>").text("1 < 2 & \"3\"").close();
    // libxml2's writer: ' needs no escape inside a "-quoted value; the parse below is what counts.
    EXPECT_EQ(xml.str(), "<a v=\"x&quot;y'&lt;&amp;&gt;\">1 &lt; 2 &amp; &quot;3&quot;</a>");
    virt::XmlDoc doc(xml.str());
    EXPECT_EQ(doc.value("/a/@v"), "x\"y'<&>");
    EXPECT_EQ(doc.value("/a"), "1 < 2 & \"3\"");
}

TEST(VirtXmlWriter, RejectsControlCharactersAndUnbalancedDocuments) {
    util::XmlWriter xml;
    EXPECT_THROW(xml.open("a").attr("v", std::string("x\x01y")), InputError);
    util::XmlWriter open;
    open.open("a");
    EXPECT_THROW((void)open.str(), std::logic_error);
    util::XmlWriter bad;
    EXPECT_THROW(bad.open("a b"), std::logic_error);
}

TEST(VirtXml, TagRoundTripsThroughHostileValues) {
    util::XmlWriter xml;
    xml.open("domain");
    virt::Tag tag{"mom", "server1", "/tmp/a&b\"<c>'/lab.toml"};
    virt::write_tag(xml, tag);
    xml.close();
    auto back = virt::read_tag(xml.str());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->lab, "mom");
    EXPECT_EQ(back->node, "server1");
    EXPECT_EQ(back->file, tag.file);
    EXPECT_FALSE(virt::read_tag(
        "<domain><metadata><x:lab xmlns:x='urn:other' name='mom'/></metadata></domain>"));
    // Another prefix for labctl's namespace is still labctl's tag.
    auto other_prefix = virt::read_tag(
        "<network><metadata><q:lab xmlns:q='https://labctl.dev/xmlns/1' "
        "name='m'/></metadata></network>");
    ASSERT_TRUE(other_prefix);
    EXPECT_EQ(other_prefix->lab, "m");
}

namespace {
virt::NetworkSpec sample_network(topo::NetworkMode mode) {
    virt::NetworkSpec spec;
    spec.name = "mom-hostonly";
    spec.tag = {"mom", "", "/labs/lab.toml"};
    spec.mode = mode;
    spec.subnet = *util::Subnet::parse("192.168.56.0/24");
    spec.hosts = {{"52:54:00:aa:bb:01", "server1", "192.168.56.11"},
                  {"52:54:00:aa:bb:02", "server2", "192.168.56.12"}};
    return spec;
}
}  // namespace

TEST(VirtXml, HostOnlyNetworkIsIsolatedWithReservations) {
    virt::XmlDoc doc(virt::network_xml(sample_network(topo::NetworkMode::host_only)));
    EXPECT_EQ(doc.value("/network/name"), "mom-hostonly");
    EXPECT_TRUE(doc.values("/network/forward").empty());
    EXPECT_EQ(doc.value("/network/ip/@address"), "192.168.56.1");
    EXPECT_EQ(doc.value("/network/ip/@netmask"), "255.255.255.0");
    EXPECT_EQ(doc.value("/network/ip/dhcp/range/@start"), "192.168.56.2");
    EXPECT_EQ(doc.value("/network/ip/dhcp/range/@end"), "192.168.56.254");
    EXPECT_EQ(doc.values("/network/ip/dhcp/host/@mac"),
              (std::vector<std::string>{"52:54:00:aa:bb:01", "52:54:00:aa:bb:02"}));
    EXPECT_EQ(doc.values("/network/ip/dhcp/host/@ip"),
              (std::vector<std::string>{"192.168.56.11", "192.168.56.12"}));
    EXPECT_EQ(doc.value("/network/metadata/l:lab/@name"), "mom");
}

TEST(VirtXml, NatNetworkForwardsWithNat) {
    virt::XmlDoc doc(virt::network_xml(sample_network(topo::NetworkMode::nat)));
    EXPECT_EQ(doc.value("/network/forward/@mode"), "nat");
}

TEST(VirtXml, QemuDomainBootsKernelFromLinkedCloneWithSeedAndNicsInOrder) {
    virt::DomainSpec spec;
    spec.name = "mom-server1";
    spec.tag = {"mom", "server1", "/labs/lab.toml"};
    spec.kind = virt::DomainKind::qemu;
    spec.memory_mib = 768;
    spec.vcpus = 2;
    spec.kernel = "/img/vmlinuz";
    spec.initrd = "/img/initrd.img";
    spec.disk = "/state/disks/server1.qcow2";
    spec.seed_disk = "/state/seeds/server1.img";
    spec.console_log = "/state/console/server1.log";
    spec.nics = {{"52:54:00:00:00:02", "mom-nat"}, {"52:54:00:00:00:01", "mom-hostonly"}};
    virt::XmlDoc doc(virt::domain_xml(spec));
    EXPECT_EQ(doc.value("/domain/@type"), "qemu");
    EXPECT_EQ(doc.value("/domain/memory"), "768");
    EXPECT_EQ(doc.value("/domain/memory/@unit"), "MiB");
    EXPECT_EQ(doc.value("/domain/vcpu"), "2");
    EXPECT_EQ(doc.value("/domain/os/kernel"), "/img/vmlinuz");
    EXPECT_EQ(doc.value("/domain/os/initrd"), "/img/initrd.img");
    EXPECT_EQ(doc.value("/domain/os/cmdline"), "root=/dev/vda rw console=ttyS0");
    EXPECT_EQ(doc.value("/domain/features/tcg/tb-cache"), "128");
    EXPECT_EQ(doc.value("/domain/devices/disk[target/@dev='vda']/source/@file"),
              "/state/disks/server1.qcow2");
    EXPECT_EQ(doc.value("/domain/devices/disk[target/@dev='vda']/driver/@type"), "qcow2");
    EXPECT_EQ(doc.value("/domain/devices/disk[target/@dev='vdb']/source/@file"),
              "/state/seeds/server1.img");
    EXPECT_EQ(doc.values("/domain/devices/disk[target/@dev='vdb']/readonly").size(), 1u);
    EXPECT_EQ(doc.values("/domain/devices/interface/mac/@address"),
              (std::vector<std::string>{"52:54:00:00:00:02", "52:54:00:00:00:01"}));
    EXPECT_EQ(doc.values("/domain/devices/interface/source/@network"),
              (std::vector<std::string>{"mom-nat", "mom-hostonly"}));
    EXPECT_EQ(doc.value("/domain/devices/serial/source/@path"), "/state/console/server1.log");
    EXPECT_EQ(doc.value("/domain/metadata/l:lab/@node"), "server1");

    EXPECT_TRUE(doc.values("/domain/seclabel").empty());

    spec.run_as = "+0:+0";
    virt::XmlDoc as_root(virt::domain_xml(spec));
    EXPECT_EQ(as_root.value("/domain/seclabel[@model='dac']/label"), "+0:+0");
    EXPECT_EQ(as_root.value("/domain/seclabel/@relabel"), "no");

    spec.kind = virt::DomainKind::kvm;
    spec.seed_disk.clear();
    virt::XmlDoc kvm(virt::domain_xml(spec));
    EXPECT_EQ(kvm.value("/domain/@type"), "kvm");
    EXPECT_TRUE(kvm.values("/domain/features/tcg").empty());
    EXPECT_TRUE(kvm.values("/domain/devices/disk[target/@dev='vdb']").empty());
}

TEST(VirtXml, LxcDomainMountsTheOverlayAsRoot) {
    virt::DomainSpec spec;
    spec.name = "mom-server1";
    spec.tag = {"mom", "server1", "/labs/lab.toml"};
    spec.kind = virt::DomainKind::lxc;
    spec.root_dir = "/state/overlays/server1/merged";
    spec.nics = {{"52:54:00:00:00:01", "mom-hostonly"}};
    EXPECT_EQ(virt::XmlDoc(virt::domain_xml(spec)).value("/domain/os/init"), "/sbin/init");
    spec.init = "/usr/local/sbin/labctl-lxc-init";
    virt::XmlDoc doc(virt::domain_xml(spec));
    EXPECT_EQ(doc.value("/domain/@type"), "lxc");
    EXPECT_EQ(doc.value("/domain/os/type"), "exe");
    EXPECT_EQ(doc.value("/domain/os/init"), "/usr/local/sbin/labctl-lxc-init");
    EXPECT_EQ(doc.value("/domain/devices/filesystem[@type='mount']/source/@dir"),
              "/state/overlays/server1/merged");
    EXPECT_EQ(doc.value("/domain/devices/filesystem/target/@dir"), "/");
    EXPECT_EQ(doc.value("/domain/devices/interface/mac/@address"), "52:54:00:00:00:01");
    EXPECT_TRUE(doc.values("/domain/os/kernel").empty());
}

TEST(VirtXml, VolumeIsALinkedCloneOfTheBaseImage) {
    virt::XmlDoc doc(virt::volume_xml({"server1.qcow2", "/img/disk.qcow2", 8589934592LL}));
    EXPECT_EQ(doc.value("/volume/name"), "server1.qcow2");
    EXPECT_EQ(doc.value("/volume/capacity"), "8589934592");
    EXPECT_EQ(doc.value("/volume/target/format/@type"), "qcow2");
    EXPECT_EQ(doc.value("/volume/backingStore/path"), "/img/disk.qcow2");
    EXPECT_EQ(doc.value("/volume/backingStore/format/@type"), "qcow2");
    virt::XmlDoc pool(virt::pool_xml({"mom-pool", "/state/disks"}));
    EXPECT_EQ(pool.value("/pool/@type"), "dir");
    EXPECT_EQ(pool.value("/pool/target/path"), "/state/disks");
}

TEST(VirtXml, CloudImageDomainBootsItsOwnBootloaderWithTheCidataDisk) {
    virt::DomainSpec spec;
    spec.name = "mom-cloud1";
    spec.tag = {"mom", "cloud1", "/labs/lab.toml"};
    spec.kind = virt::DomainKind::qemu;
    spec.disk = "/state/disks/cloud1.qcow2";
    spec.seed_disk = "/state/seeds/cloud1-cidata.img";
    spec.console_log = "/state/console/cloud1.log";
    spec.nics = {{"52:54:00:00:00:01", "mom-hostonly"}};
    virt::XmlDoc doc(virt::domain_xml(spec));
    // No direct kernel boot: the BIOS boots the disk.
    EXPECT_TRUE(doc.values("/domain/os/kernel").empty());
    EXPECT_TRUE(doc.values("/domain/os/initrd").empty());
    EXPECT_TRUE(doc.values("/domain/os/cmdline").empty());
    EXPECT_EQ(doc.value("/domain/os/type"), "hvm");
    EXPECT_EQ(doc.value("/domain/os/boot/@dev"), "hd");
    EXPECT_EQ(doc.values("/domain/features/acpi").size(), 1u);
    EXPECT_EQ(doc.values("/domain/features/apic").size(), 1u);
    EXPECT_EQ(doc.value("/domain/features/tcg/tb-cache"), "128");
    // What a generic cloud image needs: virtio disk and NIC, a serial console (logged).
    EXPECT_EQ(doc.value("/domain/devices/disk[target/@dev='vda']/target/@bus"), "virtio");
    EXPECT_EQ(doc.value("/domain/devices/disk[target/@dev='vda']/driver/@type"), "qcow2");
    EXPECT_EQ(doc.value("/domain/devices/disk[target/@dev='vdb']/source/@file"),
              "/state/seeds/cloud1-cidata.img");
    EXPECT_EQ(doc.value("/domain/devices/disk[target/@dev='vdb']/driver/@type"), "raw");
    EXPECT_EQ(doc.values("/domain/devices/disk[target/@dev='vdb']/readonly").size(), 1u);
    EXPECT_EQ(doc.value("/domain/devices/interface/model/@type"), "virtio");
    EXPECT_EQ(doc.value("/domain/devices/serial/@type"), "file");
    EXPECT_EQ(doc.value("/domain/devices/serial/source/@path"), "/state/console/cloud1.log");
    EXPECT_EQ(doc.value("/domain/devices/console/target/@type"), "serial");

    spec.kind = virt::DomainKind::kvm;
    virt::XmlDoc kvm(virt::domain_xml(spec));
    EXPECT_EQ(kvm.values("/domain/features/acpi").size(), 1u);
    EXPECT_TRUE(kvm.values("/domain/features/tcg").empty());
}

TEST(VirtXml, VolumeOverARawCloudImageNamesItsFormat) {
    virt::VolumeSpec spec{"cloud1.qcow2", "/home/u/images/debian.raw", 2147483648LL};
    spec.backing_format = "raw";
    virt::XmlDoc doc(virt::volume_xml(spec));
    EXPECT_EQ(doc.value("/volume/target/format/@type"), "qcow2");
    EXPECT_EQ(doc.value("/volume/backingStore/path"), "/home/u/images/debian.raw");
    EXPECT_EQ(doc.value("/volume/backingStore/format/@type"), "raw");
}
