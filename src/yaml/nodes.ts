/**
 * The yaml package's document model, for code that edits a Document it got from load.ts. Only node
 * classes, predicates and types pass through here, never a parse function, so text can become a
 * Document only through load.ts and its limits. The editors stay beside what they edit and are not
 * moved in here. They work in the terms of the rest of src/ (a ResourceList's items and edits, a
 * preset's annotations), and keeping them out keeps src/yaml/ a leaf that imports nothing from src/.
 */
export { isMap, isScalar, isSeq, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';
