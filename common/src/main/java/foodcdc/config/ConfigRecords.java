package foodcdc.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;

/**
 * The one mapping between YAML keys and {@link PipelineConfig}'s records: section
 * {@code streaming} is the component {@code streaming()}, key {@code streaming.batch_interval}
 * its component {@code batchInterval()}. Built, read and listed by that rule, so a new key is a
 * line in {@link ConfigSchema} and a component in its record, nothing else;
 * {@code ConfigRecordsTest} checks that the two agree.
 */
final class ConfigRecords {
    private ConfigRecords() {
    }

    /** The config holding {@code values} (dotted key → typed value; every key present). */
    static PipelineConfig build(Map<String, Object> values) {
        Object[] sections = Arrays.stream(PipelineConfig.class.getRecordComponents())
                .map(section -> construct(section.getType(), section.getName(), values)).toArray();
        return (PipelineConfig) construct(PipelineConfig.class, sections);
    }

    /** The value of one dotted key. */
    static Object value(PipelineConfig config, String path) {
        int dot = path.indexOf('.');
        Object section = read(config, component(PipelineConfig.class, path.substring(0, dot)));
        return read(section, component(section.getClass(), path.substring(dot + 1)));
    }

    private static Object construct(Class<?> section, String sectionName, Map<String, Object> values) {
        Object[] args = Arrays.stream(section.getRecordComponents())
                .map(c -> values.get(sectionName + "." + keyName(c.getName()))).toArray();
        return construct(section, args);
    }

    /** {@code batchInterval} → {@code batch_interval}. */
    static String keyName(String componentName) {
        return componentName.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }

    private static RecordComponent component(Class<?> record, String keyName) {
        return Arrays.stream(record.getRecordComponents()).filter(c -> keyName(c.getName()).equals(keyName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(record.getSimpleName() + " has no key " + keyName));
    }

    private static Object construct(Class<?> record, Object[] args) {
        Class<?>[] types = Arrays.stream(record.getRecordComponents()).map(RecordComponent::getType)
                .toArray(Class<?>[]::new);
        try {
            return record.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot build " + record.getSimpleName() + " from the schema's keys", e);
        }
    }

    private static Object read(Object record, RecordComponent c) {
        try {
            return c.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }
}
