package dev.patchwright.bot.standin;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks JSON values against the OpenAPI 3.0 schema subset GitHub's description uses: {@code $ref},
 * {@code type}, {@code nullable}, {@code required}, {@code properties}, {@code items}, {@code enum},
 * {@code allOf}/{@code oneOf}/{@code anyOf} and the {@code date-time} format.
 */
final class OpenApiSchemas {

    private final JsonNode description;

    OpenApiSchemas(JsonNode description) {
        this.description = description;
    }

    /** Follows {@code $ref} (only local {@code #/...} pointers occur in GitHub's description). */
    JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; current != null && current.has("$ref"); hops++) {
            String ref = current.get("$ref").asText();
            if (!ref.startsWith("#/") || hops > 32) {
                throw new IllegalStateException("cannot resolve $ref " + ref);
            }
            current = description.at(ref.substring(1));
            if (current.isMissingNode()) {
                throw new IllegalStateException("the description has no " + ref);
            }
        }
        return current;
    }

    /** The property names a schema declares, through {@code allOf}; null when it allows any. */
    Set<String> declaredProperties(JsonNode schema) {
        JsonNode resolved = resolve(schema);
        Set<String> names = new LinkedHashSet<>();
        JsonNode additional = resolved.get("additionalProperties");
        if (additional != null && !(additional.isBoolean() && !additional.asBoolean())) {
            return null;
        }
        resolved.path("properties").fieldNames().forEachRemaining(names::add);
        for (JsonNode part : resolved.path("allOf")) {
            Set<String> more = declaredProperties(part);
            if (more == null) {
                return null;
            }
            names.addAll(more);
        }
        return names;
    }

    /**
     * Appends to {@code out} each way {@code value} breaks {@code schema}.
     *
     * @param closed when true, properties the schema does not declare are violations (top level only)
     */
    void check(JsonNode value, JsonNode schema, String where, boolean closed, List<String> out) {
        JsonNode resolved = resolve(schema);
        if (value == null || value.isNull()) {
            if (!resolved.path("nullable").asBoolean(false) && resolved.has("type")) {
                out.add(where + " is null but the schema does not allow null");
            }
            return;
        }
        for (JsonNode part : resolved.path("allOf")) {
            check(value, part, where, false, out);
        }
        for (String choice : new String[] {"oneOf", "anyOf"}) {
            if (resolved.has(choice)) {
                checkAlternatives(value, resolved.get(choice), where, out);
            }
        }
        String type = resolved.path("type").asText("");
        if (!type.isEmpty() && !hasType(value, type)) {
            out.add(where + " should be " + type + " but is " + value.getNodeType().name().toLowerCase());
            return;
        }
        JsonNode allowed = resolved.get("enum");
        if (allowed != null && value.isValueNode() && !contains(allowed, value)) {
            out.add(where + " is " + value + ", not one of " + allowed);
        }
        if ("date-time".equals(resolved.path("format").asText()) && value.isTextual()) {
            try {
                OffsetDateTime.parse(value.asText());
            } catch (DateTimeParseException e) {
                out.add(where + " is not an RFC 3339 date-time: " + value.asText());
            }
        }
        if (value.isObject()) {
            checkObject(value, resolved, where, closed, out);
        } else if (value.isArray() && resolved.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(value.get(i), resolved.get("items"), where + "[" + i + "]", false, out);
            }
        }
    }

    private void checkObject(JsonNode value, JsonNode schema, String where, boolean closed, List<String> out) {
        for (JsonNode name : schema.path("required")) {
            if (!value.has(name.asText())) {
                out.add(where + " lacks required property '" + name.asText() + "'");
            }
        }
        JsonNode properties = schema.path("properties");
        Set<String> declared = closed ? declaredProperties(schema) : null;
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (properties.has(name)) {
                check(value.get(name), properties.get(name), where + "." + name, false, out);
            } else if (declared != null && !declared.contains(name)) {
                out.add(where + " has property '" + name + "', which the schema does not declare");
            }
        }
    }

    private void checkAlternatives(JsonNode value, JsonNode alternatives, String where, List<String> out) {
        List<String> closest = null;
        for (JsonNode alternative : alternatives) {
            List<String> problems = new ArrayList<>();
            check(value, alternative, where, false, problems);
            if (problems.isEmpty()) {
                return;
            }
            if (closest == null || problems.size() < closest.size()) {
                closest = problems;
            }
        }
        if (closest != null) {
            out.add(where + " matches none of its " + alternatives.size() + " alternatives; the closest fails: "
                    + String.join("; ", closest));
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> true;
        };
    }

    private static boolean contains(JsonNode allowed, JsonNode value) {
        for (JsonNode candidate : allowed) {
            if (candidate.equals(value) || (candidate.isNull() && value.isNull())) {
                return true;
            }
        }
        return false;
    }
}
