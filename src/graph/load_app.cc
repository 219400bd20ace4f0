#include "graph/load_app.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "config/placeholders.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kAppKeys = {"command", "cwd", "env", "port", "ready"};
const std::vector<std::string> kReadyKeys = {"http", "tcp", "timeout"};

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// "/a/b/.." and "/a/." are "/a" (lexically_normal leaves a trailing '/').
std::string Normal(const fs::path& path) {
  std::string text = path.lexically_normal().string();
  if (text.size() > 1 && text.back() == '/') text.pop_back();
  return text;
}

bool IsEnvName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

class AppReader {
 public:
  AppReader(YamlReader& r, std::string service, std::vector<ServiceRef>& refs)
      : r_(r), service_(std::move(service)), refs_(refs) {}

  AppSpec Read(const Field& field) {
    AppSpec app;
    app.pos = r_.Pos(field.key);
    const std::vector<Field> fields =
        r_.Fields(field.value, r_.Pos(field), "'app' (a map {command, cwd, env, port, ready})",
                  "in app of service '" + service_ + "'", kAppKeys);
    const Field* command = YamlReader::Find(fields, "command");
    if (!command) {
      r_.Fail(field, "app of service '" + service_ +
                         "' needs 'command' (its argv, e.g. [python3, app.py, --port, "
                         "\"{{self.port}}\"])");
    }
    app.command = Command(*command);
    fs::path dir = fs::path(r_.file()).parent_path();
    if (dir.empty()) dir = ".";  // a file in the working directory (fs::absolute("") throws)
    const fs::path base = fs::absolute(dir);
    app.cwd = Normal(base);
    if (const Field* f = YamlReader::Find(fields, "cwd")) {
      const std::string cwd = r_.String(*f);
      if (cwd.empty()) r_.Fail(*f, "'cwd' is empty: give a directory, or leave it out");
      app.cwd = Normal(base / cwd);
    }
    if (const Field* f = YamlReader::Find(fields, "env")) app.env = Env(*f);
    if (const Field* f = YamlReader::Find(fields, "port"))
      app.port = static_cast<std::uint16_t>(r_.Int(*f, 0, 65535));
    if (const Field* f = YamlReader::Find(fields, "ready")) Ready(*f, app);
    return app;
  }

 private:
  std::vector<std::string> Command(const Field& field) {
    if (field.value.IsScalar()) {
      r_.Fail(field, "'command' is a string: want its argv as a list, e.g. [" +
                         Join(Words(field.value.Scalar())) +
                         "] (no shell runs it, so a string would be one program name)");
    }
    if (!field.value.IsSequence() || field.value.size() == 0) {
      r_.Fail(field, "want 'command' as a non-empty list (argv), got " + Describe(field.value));
    }
    std::vector<std::string> argv;
    for (const YAML::Node& item : field.value) {
      if (!item.IsScalar()) r_.Fail(item, "want a string in 'command', got " + Describe(item));
      Placeholders(item.Scalar(), r_.Pos(item));
      argv.push_back(item.Scalar());
    }
    if (argv[0].empty()) r_.Fail(field, "the program of 'command' is empty");
    return argv;
  }

  std::vector<std::pair<std::string, std::string>> Env(const Field& field) {
    std::vector<std::pair<std::string, std::string>> env;
    for (const Field& e : r_.Entries(field.value, r_.Pos(field), "variable name -> value")) {
      if (!IsEnvName(e.name)) {
        r_.Fail(e.key, "'" + e.name + "' is not an environment variable name (letters, digits, _)");
      }
      if (!e.value.IsScalar() || e.value.IsNull()) {
        r_.Fail(e, "want a string for env '" + e.name + "', got " + Describe(e.value));
      }
      Placeholders(e.value.Scalar(), r_.Pos(e.value));
      env.emplace_back(e.name, e.value.Scalar());
    }
    return env;
  }

  // `ready: tcp`, `ready: { http: /health, timeout: 30s }`, `ready: { tcp: true }`.
  void Ready(const Field& field, AppSpec& app) {
    if (field.value.IsScalar()) {
      if (field.value.Scalar() != "tcp") {
        r_.Fail(field, "bad ready '" + field.value.Scalar() +
                           "': want tcp, or a map {http: /health, timeout: 30s}");
      }
      return;
    }
    const std::vector<Field> fields =
        r_.Fields(field.value, r_.Pos(field), "'ready' (tcp, or {http: /health, timeout: 30s})",
                  "in ready", kReadyKeys);
    const Field* http = YamlReader::Find(fields, "http");
    const Field* tcp = YamlReader::Find(fields, "tcp");
    if (http && tcp) r_.Fail(tcp->key, "ready by 'http' or by 'tcp', not both");
    if (tcp && !r_.Bool(*tcp)) {
      r_.Fail(*tcp, "'tcp: false' leaves no readiness test: give 'http: /health' instead");
    }
    if (http) {
      app.ready_http_path = r_.String(*http);
      if (!app.ready_http_path.starts_with('/'))
        r_.Fail(*http, "ready http path '" + app.ready_http_path + "' must start with '/'");
    }
    if (const Field* f = YamlReader::Find(fields, "timeout")) {
      const auto timeout = r_.NonNegativeDuration(*f, "ready timeout");
      if (timeout <= std::chrono::nanoseconds(0)) r_.Fail(*f, "ready timeout must be > 0");
      app.ready_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
    }
  }

  void Placeholders(const std::string& text, const SourcePos& pos) {
    std::string error;
    const auto found = FindPlaceholders(text, error);
    if (!found) throw LoadError(pos, "in app of service '" + service_ + "': " + error);
    for (const Placeholder& p : *found) {
      if (p.service == "self") continue;  // the app's own address, always known
      refs_.push_back({pos, service_, p.service, "", "'" + p.text + "'"});
    }
  }

  YamlReader& r_;
  std::string service_;
  std::vector<ServiceRef>& refs_;
};

}  // namespace

AppSpec ReadAppSpec(YamlReader& reader, const Field& field, const std::string& service,
                    std::vector<ServiceRef>& refs) {
  return AppReader(reader, service, refs).Read(field);
}

std::vector<std::string> ReadCalls(YamlReader& reader, const Field& field,
                                   const std::string& service, std::vector<ServiceRef>& refs) {
  if (!field.value.IsSequence()) {
    reader.Fail(field,
                "want a list for 'calls' (e.g. [\"payments POST /charge\", \"queue "
                "order.created\"]), got " +
                    Describe(field.value));
  }
  std::vector<std::string> calls;
  const std::string example = "'SERVICE METHOD /path' or 'queue NAME'";
  for (const YAML::Node& item : field.value) {
    if (!item.IsScalar()) reader.Fail(item, "want a string in 'calls', got " + Describe(item));
    const std::vector<std::string> words = Words(item.Scalar());
    const SourcePos pos = reader.Pos(item);
    if (words.size() == 2 && words[0] == "queue") {
      calls.push_back("queue " + words[1]);
      continue;
    }
    if (words.size() != 3) reader.Fail(item, "bad call '" + item.Scalar() + "': want " + example);
    const bool method =
        std::all_of(words[1].begin(), words[1].end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!method) {
      reader.Fail(item, "bad method '" + words[1] + "' in call '" + item.Scalar() +
                            "': want an uppercase HTTP method, e.g. GET or POST");
    }
    if (!words[2].starts_with('/'))
      reader.Fail(item, "bad path '" + words[2] + "' in call '" + item.Scalar() +
                            "': a path starts with '/'");
    refs.push_back({pos, service, words[0], words[1] + " " + words[2], "call"});
    calls.push_back(words[0] + " " + words[1] + " " + words[2]);
  }
  return calls;
}

}  // namespace traceproof
