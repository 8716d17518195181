#pragma once

#include <sys/types.h>

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

// How an exchange ended when it got no whole answer. A graceful close (the server's FIN before
// any byte of the answer, or a write into a connection the server had already closed) is told
// apart from a reset (RST while the connection was open) and from an answer cut short.
enum class Failure { none, refused, closed, reset, truncated, timeout, other };
const char* failure_name(Failure f);

struct RawOptions {
  int receive_buffer = 0;  // SO_RCVBUF in bytes, set before connecting; 0: the system's
  bool no_delay = false;   // TCP_NODELAY
  std::chrono::milliseconds send_timeout{0};  // how long a send may block; 0: no limit
};

// A TCP connection to 127.0.0.1 for byte-level control of what a client sends and sees:
// partial headers, lying Content-Length, stalls, slow reading, exactly how the connection
// ends (libcurl hides that: it silently retries a request on a fresh connection). Closed by the
// destructor.
class RawConnection {
 public:
  explicit RawConnection(int port, RawOptions options = {});
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // The errno of the last failure to connect, send or receive (0: none, or a clean close).
  int error() const { return error_; }
  // That failure as a Failure (a clean close: closed).
  Failure failure() const;
  // False once the peer has closed or reset the connection.
  bool send(std::string_view bytes);
  // Reads one answer (headers, then a Content-Length body); waits at most `limit` overall.
  // `closed` is also set when the peer closes within `linger` after the answer.
  RawResponse read_response(std::chrono::milliseconds limit,
                            std::chrono::milliseconds linger = std::chrono::milliseconds(500));
  // Reads one answer of a keep-alive exchange into `out`, each read waiting at most `wait`, and
  // says how it failed when no whole answer came; an answer without Content-Length is a
  // failure (`other`). What follows the answer stays for the next one.
  Failure read_answer(RawResponse& out, std::chrono::milliseconds wait);
  // Like recv(2), at most `limit` long: the bytes read into `out` (those already buffered
  // first), 0 once the peer has closed, -1 on a timeout or an error.
  ssize_t receive(char* out, size_t size, std::chrono::milliseconds limit);
  // Waits until the peer closes the connection (true) or `limit` passes (false), discarding
  // whatever it sends.
  bool wait_closed(std::chrono::milliseconds limit);

 private:
  // Appends what arrives within `limit` to buffer_; false on close, error or timeout.
  bool read_some(std::chrono::milliseconds limit);
  // Waits until the socket can be read; false on timeout or error (error_ says which).
  bool readable(std::chrono::milliseconds limit);
  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
  int error_ = 0;
};

}  // namespace pbx::testing
