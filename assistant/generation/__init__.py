"""Open questions answered by SmolLM2-135M-Instruct, run by onnxruntime with a KV cache.

Install time (``convert``): GGUF -> ``gguf_source`` (metadata, integer blocks) -> ``quant``
(MatMulNBits layouts) -> ``graph`` (the ONNX decoder) + ``tokenizer_build`` (tokenizer.json).
Run time: ``decoder`` (session + cache) -> ``generator`` (prompt, ``sampling``, caps, sentences).
"""
