"""ecr-image-digest: an image pushed to ECR gets the digest of its own manifest.

A registry names a manifest by the SHA-256 of its bytes (OCI Image Format
Specification, "Descriptors": digest; Docker Registry HTTP API V2, "Content
Digests"), and ECR answers that digest as ``imageDigest`` (Amazon ECR API
reference, ImageIdentifier and PutImage). moto 5.2.1 hashes the joined digests
of the manifest's layers instead, so every manifest without layers (what a test
or the demo pushes in place of ``docker push``) gets ``sha256:e3b0c442...``, the
digest of empty input: two different images look like one, and a tag moved to
another image keeps its old digest.

The correction computes the digest from the manifest text as stored. A digest
given with ``PutImage`` (``imageDigest``) is kept as moto keeps it.
"""

from __future__ import annotations

import hashlib

NAME = "ecr-image-digest"
ITEM = "—"
SUMMARY = "ECR images get the SHA-256 of their manifest as digest (not the hash of their layer digests)"


def manifest_digest(manifest: str) -> str:
    """The digest a registry gives a manifest: sha256 of its bytes (UTF-8)."""
    return "sha256:" + hashlib.sha256(manifest.encode("utf-8")).hexdigest()


def apply() -> None:
    from moto.ecr.models import Image

    def _create_digest(self: Image) -> None:
        self._image_digest = manifest_digest(self.image_manifest)

    Image._create_digest = _create_digest  # type: ignore[method-assign]
