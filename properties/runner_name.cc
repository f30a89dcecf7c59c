// gossip-properties runs the catalogue against the shipped reference: no mutant.
extern const char* const kGossipMutantName;
const char* const kGossipMutantName = "";
