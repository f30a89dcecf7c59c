// The catalogue's properties at the limits of the data model (limits_properties.cc) and of a
// node under a hostile peer (hostile_properties.cc): catalogue() lists them with the rest.
#pragma once

#include <vector>

#include "properties/catalogue.h"

namespace gossip::properties {

std::vector<Property> limit_properties();
std::vector<Property> hostile_properties();
std::vector<Property> claims_properties();

}  // namespace gossip::properties
