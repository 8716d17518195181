#include "http/wire.hpp"

#include <cstdio>

namespace pbx::http {

std::string chunk_frame(std::string_view piece) {
  char size[24];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
  std::string out;
  out.reserve(static_cast<size_t>(n) + piece.size() + 2);
  out.append(size, static_cast<size_t>(n)).append(piece).append("\r\n");
  return out;
}

void queue_write(const std::shared_ptr<P::Tcp::Peer>& peer, std::string bytes,
                 const std::function<void(bool)>& written) {
  auto size = bytes.size();
  peer->send(P::RawBuffer(std::move(bytes), size))
      .then([written](ssize_t) { written(true); },
            [written](std::exception_ptr&) { written(false); });
}

bool wants_keep_alive(const P::Http::Request& request) {
  auto connection = request.headers().tryGet<P::Http::Header::Connection>();
  bool http11 = request.version() == P::Http::Version::Http11;
  if (!connection) return http11;
  switch (connection->control()) {
    case P::Http::ConnectionControl::Close:
      return false;
    case P::Http::ConnectionControl::KeepAlive:
      return true;
    default:
      return http11;
  }
}

}  // namespace pbx::http
