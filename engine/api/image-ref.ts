/** Container image references as the API server's defaulting reads them (k8s.io/kubernetes/pkg/util/parsers). */

/** parsers.ParseImageName's tag is "latest": `name:latest`, or a reference with neither a tag nor a digest. */
export function imageTagIsLatest(image: string): boolean {
  if (image.includes('@')) return false;
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon <= slash || image.slice(colon + 1) === 'latest';
}
