package io.sendline.edge.http;

import java.util.List;

/**
 * A request that cannot be served, with the HTTP status and the JSON error to send back: {@code
 * {"error": code, "message": message, "errors": [{field, message}...]}}.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final List<FieldError> errors;

    public ApiException(int status, String code, String message) {
        this(status, code, message, List.of());
    }

    public ApiException(int status, String code, String message, List<FieldError> errors) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.errors = List.copyOf(errors);
    }

    /** 400 with the list of field errors. */
    public static ApiException invalid(List<FieldError> errors) {
        String message =
                errors.size() == 1
                        ? errors.get(0).field() + ": " + errors.get(0).message()
                        : errors.size() + " fields are invalid";
        return new ApiException(400, "invalid_request", message, errors);
    }

    /** 400 for one field. */
    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, "conflict", message);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, "unavailable", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** The JSON response for this error. */
    public Response toResponse() {
        ErrorBody body = new ErrorBody(code, getMessage(), errors.isEmpty() ? null : errors);
        Response r = Response.json(status, body);
        return status == 503 ? r.withHeader("Retry-After", "1") : r;
    }

    /** Wire shape of an error. */
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record ErrorBody(String error, String message, List<FieldError> errors) {}
}
