#include "otlp/rpc_status.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <nlohmann/json.hpp>

namespace traceproof {
namespace {

using google::protobuf::io::CodedOutputStream;
using google::protobuf::io::StringOutputStream;

void WriteLen(CodedOutputStream& out, int field, std::string_view bytes) {
  out.WriteTag(static_cast<std::uint32_t>(field << 3 | 2));
  out.WriteVarint32(static_cast<std::uint32_t>(bytes.size()));
  out.WriteRaw(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace

std::string RpcStatusProto(int code, std::string_view message,
                           std::optional<std::chrono::seconds> retry_after) {
  std::string out;
  {
    StringOutputStream stream(&out);
    CodedOutputStream coded(&stream);
    // google.rpc.Status { int32 code = 1; string message = 2; repeated Any details = 3; }
    coded.WriteTag(1 << 3 | 0);
    coded.WriteVarint32SignExtended(code);
    WriteLen(coded, 2, message);
    if (retry_after) {
      google::protobuf::Duration delay;
      delay.set_seconds(retry_after->count());
      // google.rpc.RetryInfo { google.protobuf.Duration retry_delay = 1; }
      std::string retry_info;
      {
        StringOutputStream ri_stream(&retry_info);
        CodedOutputStream ri(&ri_stream);
        WriteLen(ri, 1, delay.SerializeAsString());
      }
      google::protobuf::Any any;
      any.set_type_url("type.googleapis.com/google.rpc.RetryInfo");
      any.set_value(retry_info);
      WriteLen(coded, 3, any.SerializeAsString());
    }
  }
  return out;
}

std::string RpcStatusJson(int code, std::string_view message) {
  nlohmann::json j = {{"code", code}, {"message", message}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace traceproof
