#include "otlp/gzip.h"

#include <zlib.h>

#include <algorithm>

namespace traceproof {

GunzipResult Gunzip(std::string_view compressed, std::size_t max_bytes) {
  GunzipResult result;
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header, as Content-Encoding: gzip promises.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    result.status = GunzipStatus::kCorrupt;
    result.error = "zlib init failed";
    return result;
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::string& out = result.bytes;
  out.resize(std::min<std::size_t>(std::max<std::size_t>(compressed.size() * 4, 4096), max_bytes + 1));
  std::size_t produced = 0;
  int rc = Z_OK;
  while (true) {
    if (produced == out.size()) {
      if (out.size() > max_bytes) break;
      out.resize(std::min(out.size() * 2, max_bytes + 1));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out.size() - produced);
    rc = inflate(&zs, Z_NO_FLUSH);
    produced = out.size() - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK) break;
    if (produced > max_bytes) break;
  }
  inflateEnd(&zs);
  if (produced > max_bytes) {
    result.status = GunzipStatus::kTooLarge;
    result.error = "decompressed body exceeds " + std::to_string(max_bytes) + " bytes";
    result.bytes.clear();
  } else if (rc != Z_STREAM_END) {
    result.status = GunzipStatus::kCorrupt;
    result.error = std::string("corrupt gzip body: ") + (zs.msg ? zs.msg : "truncated stream");
    result.bytes.clear();
  } else {
    out.resize(produced);
  }
  return result;
}

std::string Gzip(std::string_view raw) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(raw.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace traceproof
