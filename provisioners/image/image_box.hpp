// `labctl image box`: packages a labctl base image as a vagrant-libvirt box, so Vagrant
// users (and the benchmark that compares labctl with Vagrant) boot exactly the same disk,
// kernel and initrd that `labctl up` boots.
//
// The box (an uncompressed tar) holds:
//   metadata.json          provider libvirt, format qcow2, virtual size in GiB
//   box.img                the image's root filesystem plus a small seed that creates the
//                          login user with the box's key and passwordless sudo at first boot
//   vmlinuz, initrd.img    direct kernel boot, as labctl boots the image
//   Vagrantfile            the box's defaults: kernel, cmdline, driver, ssh user and key
//   labctl_box_ed25519     the box's private key (0600), generated per box: the role of
//                          Vagrant's insecure key, but unique; keep the box file private
// Each machine generates its own SSH host key at first boot.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>

namespace labctl::image {

struct BoxRequest {
    std::string image = "debian-12-lab";  // a built image (labctl image build)
    std::filesystem::path output;         // the .box file; default ./labctl-IMAGE.box
    std::string user = "vagrant";         // the login user Vagrant connects as
    std::string driver = "kvm";           // the box default: kvm or qemu (TCG)
};

// Writes the box atomically (a temporary file renamed into place) and returns its path.
// Throws InputError for an unknown image or a bad user name, InfraError when a step fails.
std::filesystem::path make_vagrant_box(const BoxRequest& request, std::ostream& out);

}  // namespace labctl::image
