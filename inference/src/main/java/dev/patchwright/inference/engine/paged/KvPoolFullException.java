package dev.patchwright.inference.engine.paged;

/** No free KV block is left for new positions: the caller must release sequences or use a larger pool. */
public final class KvPoolFullException extends IllegalStateException {

    public KvPoolFullException(int blocks, int blockPositions) {
        super("KV cache full: all " + blocks + " blocks of " + blockPositions + " positions are in use");
    }

    public KvPoolFullException(int needed, int free, int blockPositions) {
        super("KV cache full: " + needed + " more blocks of " + blockPositions + " positions needed, " + free + " free");
    }
}
