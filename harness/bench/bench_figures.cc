#include "bench/bench_figures.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace traceproof {

void AddFiguresOption(CLI::App& cmd, std::string& path) {
  cmd.add_option("--figures-json", path, "Write the figures for `bench all` here")->group("");
}

bool WriteFigures(const std::string& path, const std::vector<BenchFigure>& figures) {
  if (path.empty()) return true;
  nlohmann::json all = nlohmann::json::array();
  for (const BenchFigure& f : figures) {
    nlohmann::json j = {
        {"figure", f.figure},         {"value", f.value}, {"unit", f.unit}, {"peer", f.peer},
        {"peer_value", f.peer_value}, {"ratio", f.ratio}, {"goal", f.goal}, {"note", f.note}};
    j["met"] = f.met ? nlohmann::json(*f.met) : nlohmann::json(nullptr);
    all.push_back(std::move(j));
  }
  std::ofstream out(path, std::ios::trunc);
  out << nlohmann::json{{"figures", all}}.dump(2) << "\n";
  return static_cast<bool>(out);
}

std::optional<std::vector<BenchFigure>> ReadFigures(const std::string& path, std::string& error) {
  std::ifstream in(path);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_object() || !j.contains("figures") || !j["figures"].is_array()) {
    error = path + ": no figures (the bench did not finish)";
    return std::nullopt;
  }
  std::vector<BenchFigure> figures;
  for (const nlohmann::json& f : j["figures"]) {
    BenchFigure b;
    b.figure = f.value("figure", "");
    b.value = f.value("value", 0.0);
    b.unit = f.value("unit", "");
    b.peer = f.value("peer", "");
    b.peer_value = f.value("peer_value", 0.0);
    b.ratio = f.value("ratio", 0.0);
    b.goal = f.value("goal", "");
    b.note = f.value("note", "");
    if (f.contains("met") && f["met"].is_boolean()) b.met = f["met"].get<bool>();
    figures.push_back(std::move(b));
  }
  return figures;
}

}  // namespace traceproof
