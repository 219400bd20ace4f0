#include "config/amqp_url.h"

#include <amqp.h>

#include <vector>

namespace traceproof {

std::optional<AmqpUrl> ParseAmqpUrl(const std::string& url, std::string& error) {
  if (!url.starts_with("amqp://")) {
    error = "want an amqp:// URL, e.g. amqp://127.0.0.1:5672 (amqps is not supported)";
    return std::nullopt;
  }
  std::vector<char> buf(url.begin(), url.end());  // amqp_parse_url writes into its argument
  buf.push_back('\0');
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(buf.data(), &info) != AMQP_STATUS_OK) {
    error = "not a valid AMQP URL (amqp://[user:password@]host[:port][/vhost])";
    return std::nullopt;
  }
  return AmqpUrl{info.host, info.user, info.password, info.vhost, info.port};
}

}  // namespace traceproof
