/** Names Kubernetes gives its own rules to, as the config, the annotations and the presets check them. */

/** A container name: an RFC 1123 label (validation.IsDNS1123Label); 63 characters at most. */
export const CONTAINER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A namespace name: an RFC 1123 label too (apimachinery ValidateNamespaceName), 63 characters at most. */
export const NAMESPACE_NAME = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
