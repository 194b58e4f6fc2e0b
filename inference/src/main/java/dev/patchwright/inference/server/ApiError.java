package dev.patchwright.inference.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the server refuses, with the HTTP status and the OpenAI-style error object it answers with:
 * {@code {"error": {"message", "type", "param", "code"}}}.
 */
final class ApiError extends Exception {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    ApiError(int status, String message, String type, String param, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: a field is missing, of the wrong type or out of range; {@code param} names it. */
    static ApiError invalid(String param, String message) {
        return new ApiError(400, message, "invalid_request_error", param, param == null ? null : "invalid_value");
    }

    int status() {
        return status;
    }

    ObjectNode body() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root;
    }
}
