"""The instructor's tested solution for Week 11 ("Neural Network Architectures").

Subpackages (import the one you need; this module imports none of them, so that
``import reference.gradients.evidence`` stays free of torch):

- :mod:`reference.gradients`: Assignment 1, deep MLPs, gradient profiles and the evidence rule.
- :mod:`reference.enhancers`: Assignment 2, sequence data, the CNN and cross-validation.
- :mod:`reference.motifs`: first-layer kernels to motifs, logos and JASPAR matches.
- :mod:`reference.answers`: the answer key, computed by code (``python -m reference.answers``).
"""

__all__: list[str] = []
