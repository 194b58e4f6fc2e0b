package dev.patchwright.worker.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.worker.db.Database;
import dev.patchwright.worker.solve.CandidateRecord.Evidence;

/** A candidate's evidence as the {@code candidates.evidence} jsonb column holds it. */
final class EvidenceJson {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private EvidenceJson() {
    }

    static String write(Evidence evidence) {
        try {
            return Database.storable(JSON.writeValueAsString(evidence));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a candidate's evidence as JSON", e);
        }
    }

    /** The evidence in {@code json}; {@link Evidence#NONE} for rows written before there was any. */
    static Evidence read(String json) {
        if (json == null) {
            return Evidence.NONE;
        }
        try {
            return JSON.readValue(json, Evidence.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a candidate's stored evidence is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
