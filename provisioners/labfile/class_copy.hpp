// Class mode (SPEC.md section 5): one lab file, one copy per student. A copy is the same lab
// under the name LAB-ID, each network's subnet carved from [class] pool with the same prefix
// length (student k's networks in block k of the pool, disjoint from every other student's),
// static addresses at the same host offset within their subnet. Its libvirt objects, keys and
// state follow from its name like any lab's.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "topology/model.hpp"

namespace labctl::labfile {

// A student id: lower-case letters, digits and `-`, starting with a letter or digit, so that
// LAB-ID is a name of its own.
bool is_student_id(std::string_view id);

// LAB-ID, checked against the lab-name rule; InputError (exit 2) saying why when it breaks it.
std::string student_lab_name(const topo::Lab& base, const std::string& id);

// The prefix length of one student's block: the smallest block that holds every network of
// the lab at its own prefix length, packed largest first (so each stays aligned).
int student_block_prefix(const topo::Lab& base);

// How many students the pool holds; InputError when it cannot hold even one copy or the lab
// has no [class].
std::size_t class_capacity(const topo::Lab& base);

// Student INDEX's copy of BASE, named for ID (0-based index: which block of the pool). Pure: no
// file, no libvirt. InputError for a bad id, a lab without [class] or an index beyond the pool.
topo::Lab student_copy(const topo::Lab& base, const std::string& id, std::size_t index);

}  // namespace labctl::labfile
