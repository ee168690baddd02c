package dev.jgpt.web;

/**
 * A request that cannot be answered, with the HTTP status to answer it with and a one-line
 * message for the page. Endpoints throw it; the {@link Router} turns it into {@code {"error": ...}}.
 */
final class ApiError extends RuntimeException {
  private final int status;

  ApiError(int status, String message) {
    super(message, null, false, false); // no stack trace: this is an answer, not a bug
    this.status = status;
  }

  int status() {
    return status;
  }

  static ApiError badRequest(String message) {
    return new ApiError(400, message);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, message);
  }

  /** 429: the server is busy with another generation; the page says to try again. */
  static ApiError busy(String message) {
    return new ApiError(429, message);
  }
}
