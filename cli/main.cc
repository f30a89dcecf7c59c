// gossipcheck: the command-line entry point. Argument errors exit 2 with a message.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace gossip::cli;
  CLI::App app{"gossipcheck: verification suite for consolidation-state gossip"};
  app.require_subcommand(1);

  SelfcheckOptions check;
  CLI::App* selfcheck = app.add_subcommand(
      "selfcheck",
      "Build replica states by random histories, merge them in different orders, "
      "and check that every order gives the same root digest");
  selfcheck->add_option("--seed", check.seed, "Seed of the random history")->capture_default_str();
  selfcheck->add_option("--cluster-seed", check.cluster_seed, "Cluster seed keying the digests")
      ->capture_default_str();
  selfcheck->add_option("--replicas", check.replicas, "Number of replicas")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  selfcheck->add_option("--writes", check.writes, "Local writes in the history")
      ->check(CLI::Range(1u, 10'000'000u))
      ->capture_default_str();

  std::string path;
  std::string out_path;
  std::uint64_t cluster_seed = kDefaultClusterSeed;
  CLI::App* decode = app.add_subcommand("decode", "Print the text form of a binary frame");
  decode->add_option("file", path, "Frame file ('-' for standard input)")->required();
  decode->add_option("--cluster-seed", cluster_seed, "Cluster seed (for a state's root)")
      ->capture_default_str();

  CLI::App* encode = app.add_subcommand("encode", "Encode a state's text form as a binary frame");
  encode->add_option("file", path, "Text file ('-' for standard input)")->required();
  encode->add_option("-o,--output", out_path, "Where to write the frame")->required();
  encode->add_option("--cluster-seed", cluster_seed, "Cluster seed")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  if (selfcheck->parsed()) return run_selfcheck(check);
  if (decode->parsed()) return run_decode(path, cluster_seed);
  if (encode->parsed()) return run_encode(path, out_path, cluster_seed);
  return kExitBadInput;
}
