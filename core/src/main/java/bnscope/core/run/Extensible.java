package bnscope.core.run;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A part of the manifest that keeps the fields this bnscope version does not know (written by a
 * newer or older one), so reading and writing a manifest back never drops them.
 */
public abstract class Extensible {
    private final Map<String, Object> other = new LinkedHashMap<>();

    @JsonAnySetter
    void setOther(String key, Object value) {
        other.put(key, value);
    }

    /** The unknown fields, by name, as read. */
    @JsonAnyGetter
    public Map<String, Object> other() {
        return other;
    }
}
