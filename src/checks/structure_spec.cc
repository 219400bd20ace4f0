#include "checks/structure_spec.h"

#include "checks/check_util.h"
#include "config/yaml_reader.h"

namespace traceproof {

namespace {

// `attributes: { http.route: "/checkout", user.id: true }`.
std::vector<ExpectedAttribute> ReadAttributes(YamlReader& reader, const Field& field) {
  std::vector<ExpectedAttribute> attributes;
  for (const Field& a : reader.Entries(field.value, reader.Pos(field), "attribute keys")) {
    if (!a.value.IsScalar()) {
      reader.Fail(a, "attribute '" + a.name +
                         "': want a value (\"/checkout\") or true (present), got " +
                         Describe(a.value));
    }
    ExpectedAttribute e{.key = a.name, .value = std::nullopt};
    // `true` without quotes means "present"; a quoted "true" is the string value.
    if (!(a.value.Tag() == "?" && a.value.Scalar() == "true")) e.value = a.value.Scalar();
    attributes.push_back(std::move(e));
  }
  return attributes;
}

}  // namespace

std::string_view RelationName(Relation relation) {
  switch (relation) {
    case Relation::kChild:
      return "child";
    case Relation::kDescendant:
      return "descendant";
    case Relation::kParent:
      return "parent";
    case Relation::kNone:
      break;
  }
  return "";
}

StructureSpec ParseStructureSpec(const YAML::Node& options, const std::string& file) {
  YamlReader reader(file);
  const auto fields = checks::OptionFields(reader, options, "structure",
                                           {"select", "child", "descendant", "parent", "count",
                                            "attributes", "no_orphans", "single_root"});
  StructureSpec spec;
  spec.select = checks::ReadSelector(
      reader, checks::Require(reader, fields, options, "select",
                              "in the structure check (which spans it is about)"));
  spec.pos = reader.Pos(options);
  const Field* relation_field = nullptr;
  for (const Field& f : fields) {
    if (f.name == "child" || f.name == "descendant" || f.name == "parent") {
      if (relation_field) {
        reader.Fail(f.key, "'" + f.name + "' and '" + relation_field->name +
                               "' in one structure check: use one relation per check");
      }
      relation_field = &f;
      spec.relation = f.name == "child"        ? Relation::kChild
                      : f.name == "descendant" ? Relation::kDescendant
                                               : Relation::kParent;
      spec.related = checks::ReadSelector(reader, f);
    } else if (f.name == "count") {
      spec.count = checks::ReadComparison(reader, f);
      if (spec.count.duration || spec.count.percent) {
        reader.Fail(f, "'count' compares a number of spans, not '" + spec.count.text +
                           "' (e.g. \">= 1\", \"== 0\")");
      }
    } else if (f.name == "attributes") {
      spec.attributes = ReadAttributes(reader, f);
    } else if (f.name == "no_orphans") {
      spec.no_orphans = reader.Bool(f);
    } else if (f.name == "single_root") {
      spec.single_root = reader.Bool(f);
    }
  }
  return spec;
}

bool SoundOnSample(const StructureSpec& spec) {
  return spec.relation != Relation::kNone || spec.count.UpperBoundOnCount();
}

}  // namespace traceproof
