/** The variable naming the file the test environment appends every captured connector log line to. */
export const CONNECTOR_LOG_FILE = 'CONNECTOR_LOG_FILE'
