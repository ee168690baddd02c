package dev.jgpt.cli;

/** An error caused by the user's input; its message says what is wrong and what to do. */
public final class UserException extends RuntimeException {
  public UserException(String message) {
    super(message);
  }

  public UserException(String message, Throwable cause) {
    super(message, cause);
  }
}
