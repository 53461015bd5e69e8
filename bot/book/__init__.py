"""The book side: spec -> pages -> PDFs. It knows nothing of GitHub."""
