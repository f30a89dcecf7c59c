// The `explore` subcommand, shared by gossipcheck and every property runner (a mutant's
// runner explores the mutant: `gossipcheck explore --mutant NAME` runs it). Includes CLI11:
// only the two mains include this header.
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <string>

#include "properties/explore.h"

namespace gossip::properties {

struct ExploreCommand {
  ExploreConfig config;
  std::string json_path;
  std::string failures_dir = ".";
  std::string implementation = "reference";  // or the mutant's name, for output and file names
};

void add_explore_options(CLI::App* app, ExploreCommand* command);
// Exit 0: complete, no violation. 1: a violation (its history saved and printed) or stopped
// before the end (--states-max). 2: cannot write the JSON or the history.
int run_explore_command(const ExploreCommand& command, std::ostream& out, std::ostream& err);

}  // namespace gossip::properties
