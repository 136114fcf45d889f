"""The thin Streamlit adapter: session state, cached loaders, translations, shared widgets."""
