// docs/scenarios.md cannot drift from the loader: every ```yaml block in it loads, every key
// and enumeration value the loader accepts is documented there, every key its tables document
// is accepted, and the error shown at its top is the one the loader gives.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "scenario/load_scenario.h"
#include "test_pki.h"

namespace traceproof {
namespace {

const std::string kDocPath = std::string(TRACEPROOF_SOURCE_DIR) + "/docs/scenarios.md";

std::string ReadDoc() {
  std::ifstream in(kDocPath);
  EXPECT_TRUE(in) << "cannot read " << kDocPath;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Block {
  int line = 0;  // of the opening fence
  std::string language;
  std::string text;
};

std::vector<Block> FencedBlocks(const std::string& doc) {
  std::vector<Block> blocks;
  std::istringstream in(doc);
  std::string line;
  int number = 0;
  Block* open = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (line.starts_with("```")) {
      if (open) {
        open = nullptr;
      } else {
        blocks.push_back({number, line.substr(3), ""});
        open = &blocks.back();
      }
    } else if (open) {
      open->text += line + "\n";
    }
  }
  EXPECT_EQ(open, nullptr) << "unclosed ``` block in " << kDocPath;
  return blocks;
}

// A fragment (no `name:`) is completed with what every scenario needs and it lacks.
YAML::Node Completed(YAML::Node node) {
  const YAML::Node& read = node;  // non-const operator[] would add keys
  if (read["name"]) return node;
  YAML::Node base = YAML::Load(R"(
name: doc-fragment
services: { preset: seed-checkout }
load: [ { route: "gateway POST /checkout", rate: 10/s, duration: 1s } ]
)");
  for (const char* key : {"name", "services", "load"}) {
    if (!read[key]) node[key] = base[key];
  }
  return node;
}

// The files scripts/test-certs makes, made here with OpenSSL's library, for the `tls` example.
std::string WriteTestCerts() {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("traceproof_docs_certs_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const testing::TestPki pki = testing::MakeTestPki();
  std::ofstream(dir / "ca.pem") << pki.ca_cert;
  std::ofstream(dir / "server.pem") << pki.server_cert;
  std::ofstream(dir / "server.key") << pki.server_key;
  return dir.string();
}

TEST(ScenarioDocs, EveryYamlBlockLoads) {
  // The `require_headers` example reads its token from the environment, as a user's would;
  // the `tls` example its certificates' folder.
  ::setenv("TRACEPROOF_SINK_TOKEN", "docs-test-token", /*overwrite=*/0);
  ::setenv("TRACEPROOF_TEST_CERTS", WriteTestCerts().c_str(), /*overwrite=*/1);
  int loaded = 0;
  for (const Block& block : FencedBlocks(ReadDoc())) {
    if (block.language != "yaml") continue;
    SCOPED_TRACE("```yaml block at " + kDocPath + ":" + std::to_string(block.line) + ":\n" +
                 block.text);
    try {
      const Scenario s = LoadScenario(Completed(YAML::Load(block.text)), kDocPath);
      EXPECT_FALSE(s.load.empty());
      ++loaded;
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GE(loaded, 8);
}

TEST(ScenarioDocs, FirstBlockIsACompleteScenarioUsingEveryTopLevelKeyButInlineOnes) {
  for (const Block& block : FencedBlocks(ReadDoc())) {
    if (block.language != "yaml") continue;
    const YAML::Node root = YAML::Load(block.text);
    for (const std::string& key : ScenarioTopLevelKeys()) {
      if (key == "scale") continue;   // only with inline services; shown in their own example
      if (key == "broker") continue;  // only with queues; shown in its own example
      if (key == "sink") continue;    // a tier needs its own Collector config; its own example
      EXPECT_TRUE(root[key]) << "the complete example lacks '" << key << "'";
    }
    return;
  }
  FAIL() << "no ```yaml block";
}

TEST(ScenarioDocs, EveryAcceptedKeyAndValueIsDocumented) {
  const std::string doc = ReadDoc();
  for (const ScenarioKeySet& set : ScenarioKeySets()) {
    for (const std::string& key : set.keys) {
      EXPECT_NE(doc.find("`" + key + "`"), std::string::npos)
          << set.where << " key '" << key << "' is accepted but not documented as `" << key
          << "` in " << kDocPath;
    }
  }
  for (const auto* values : {&ArrivalNames(), &SamplerNames()}) {
    for (const std::string& value : *values) {
      EXPECT_NE(doc.find("`" + value + "`"), std::string::npos)
          << "'" << value << "' is accepted but not documented as `" << value << "`";
    }
  }
}

TEST(ScenarioDocs, EveryKeyInTheTablesIsAccepted) {
  std::set<std::string> accepted;
  for (const ScenarioKeySet& set : ScenarioKeySets())
    accepted.insert(set.keys.begin(), set.keys.end());
  const std::regex row(R"(^\| `([a-z_]+)` \|)");
  std::istringstream in(ReadDoc());
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    ++rows;
    EXPECT_TRUE(accepted.contains(m[1].str()))
        << "the docs' table documents `" << m[1] << "`, which the loader does not accept";
  }
  EXPECT_GE(rows, 20);
}

// The sample error at the top of the doc is what the loader says for that mistake.
TEST(ScenarioDocs, SampleErrorIsTheLoadersMessage) {
  const std::string doc = ReadDoc();
  const std::smatch m = [&] {
    std::smatch match;
    std::regex_search(doc, match,
                      std::regex(R"(\n(scenarios/slow-checkout\.yaml):(\d+):(\d+): ([^\n]*)\n)"));
    return match;
  }();
  ASSERT_FALSE(m.empty()) << "no sample error in the doc";
  // The complete example with its first phase's rate mistyped as `fast`.
  std::string example;
  for (const Block& block : FencedBlocks(doc)) {
    if (block.language == "yaml") {
      example = block.text;
      break;
    }
  }
  const std::string good = "rate: 200/s";
  ASSERT_NE(example.find(good), std::string::npos);
  example.replace(example.find(good), good.size(), "rate: fast");
  try {
    LoadScenario(YAML::Load(example), m[1].str());
    FAIL() << "the mistyped example loaded";
  } catch (const LoadError& e) {
    EXPECT_EQ(std::string(e.what()),
              m[1].str() + ":" + m[2].str() + ":" + m[3].str() + ": " + m[4].str());
  }
}

}  // namespace
}  // namespace traceproof
