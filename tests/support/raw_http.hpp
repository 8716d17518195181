#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace pbx::testing {

// One HTTP/1.1 answer as it came off the wire.
struct RawResponse {
  int status = 0;                              // 0: no complete status line arrived
  std::map<std::string, std::string> headers;  // names lower case
  std::string body;
  bool closed = false;  // the server closed the connection after (or instead of) answering
};

// Reads the status line and headers of an answer (`head` ends before the blank line) into
// `out`; false when the status line is not HTTP/1.x.
bool parse_response_head(std::string_view head, RawResponse& out);

// A TCP connection to 127.0.0.1 for byte-level control of what a client sends: partial
// headers, lying Content-Length, stalls. Closed by the destructor.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // False once the peer has closed or reset the connection.
  bool send(std::string_view bytes);
  // Reads one answer (headers, then a Content-Length body); waits at most `limit` overall.
  // `closed` is also set when the peer closes within `linger` after the answer.
  RawResponse read_response(std::chrono::milliseconds limit,
                            std::chrono::milliseconds linger = std::chrono::milliseconds(500));
  // Waits until the peer closes the connection (true) or `limit` passes (false), discarding
  // whatever it sends.
  bool wait_closed(std::chrono::milliseconds limit);

 private:
  // Appends what arrives within `limit` to buffer_; false on close, error or timeout.
  bool read_some(std::chrono::milliseconds limit);
  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace pbx::testing
